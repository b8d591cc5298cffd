package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;

/** Real TLS clients for the tests: curl and openssl s_client as processes, and a raw keep-alive SSLSocket. */
final class TlsTools {
    private TlsTools() {}

    /** A process's exit code and its stdout and stderr together. */
    record Run(int exit, String output) {}

    /** Runs a command (stdin closed) and waits up to 20s; a missing binary fails the test, it never skips. */
    static Run run(String... command) {
        String binary = command[0];
        if (List.of("/usr/bin", "/bin", "/usr/local/bin").stream().noneMatch(d -> Files.isExecutable(Path.of(d, binary)))) {
            fail("'" + binary + "' is needed by this test and was not found in /usr/bin, /bin or /usr/local/bin");
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within 20s");
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + binary + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** openssl s_client against 127.0.0.1:port with extra arguments (e.g. -servername x, -tls1_2, -alpn h2). */
    static Run sClient(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** The first certificate s_client printed: the one the server sent. */
    static X509Certificate servedCertificate(Run r) {
        String out = r.output();
        int start = out.indexOf("-----BEGIN CERTIFICATE-----");
        int end = out.indexOf("-----END CERTIFICATE-----");
        if (start < 0 || end < 0) fail("s_client printed no certificate:\n" + out);
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(out.substring(start, end + 25).getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A TLS connection to 127.0.0.1:port with SNI {@code serverName}, handshake done. */
    static SSLSocket connect(SSLContext ctx, int port, String serverName) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters params = s.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(serverName)));
        params.setApplicationProtocols(new String[] {"http/1.1"});
        s.setSSLParameters(params);
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    /** Sends a keep-alive GET on an open connection and returns the whole response (head and Content-Length body). */
    static String get(SSLSocket s, String host, String path) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed after: " + head);
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).strip());
        }
        return h + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
}
