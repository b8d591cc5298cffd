package io.strait.cli.mesh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;

/**
 * What an app does with its sidecar, over raw sockets: an HTTP/1.1 request to the outbound port with the service
 * in {@code Host} (the JDK client will not set {@code Host}), one connection per request ({@code Connection: close},
 * so a failure is never hidden by a retried keep-alive connection); a plaintext request to an inbound port; and a
 * TLS handshake that only looks at the certificate a port serves.
 */
final class MeshClient {
    /** How long one exchange may take before it counts as failed. */
    static final int TIMEOUT_MILLIS = 20_000;

    private MeshClient() {}

    /** An answer: the status, headers (names lower case) and body. */
    record Answer(int status, Map<String, String> headers, String body) {
        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** {@code METHOD PATH} to {@code 127.0.0.1:port} with {@code Host: host}; {@code headers} as "Name: value". */
    static Answer call(int port, String method, String host, String path, String body, String... headers) throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                .append("\r\nConnection: close\r\nContent-Length: ").append(content.length).append("\r\n");
        for (String h : headers) head.append(h).append("\r\n");
        head.append("\r\n");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            byte[] all = s.getInputStream().readAllBytes();
            Answer a = parse(all);
            if (a == null) throw new IOException("no HTTP answer from port " + port + " (" + all.length + " bytes)");
            return a;
        }
    }

    /** A plaintext GET to {@code 127.0.0.1:port}: the status, or -1 when no HTTP answer comes (refused, closed, or TLS bytes). */
    static int plaintextStatus(int port, String path) {
        try {
            Answer a = call(port, "GET", "127.0.0.1", path, null);
            return a.status();
        } catch (IOException e) {
            return -1;
        }
    }

    private static Answer parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || end < 0) return null;
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) rest = dechunk(rest);
        else if (headers.containsKey("content-length")) {
            int length = Integer.parseInt(headers.get("content-length"));
            if (rest.length < length) throw new IOException("the body ended after " + rest.length + " of " + length + " bytes");
            rest = java.util.Arrays.copyOf(rest, length);
        }
        return new Answer(status, headers, new String(rest, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] chunked) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = new java.io.ByteArrayInputStream(chunked);
        while (true) {
            StringBuilder size = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) throw new IOException("the chunked body ended early");
                if (c != '\r') size.append((char) c);
            }
            int n = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
            if (n == 0) return out.toByteArray();
            out.write(in.readNBytes(n));
            in.readNBytes(2); // CRLF after the chunk
        }
    }

    /**
     * The certificate {@code 127.0.0.1:port} serves to a new TLS connection. The client sends no certificate: a STRICT
     * inbound then ends the handshake, but TLS 1.3 has shown its own certificate before that, which is all this wants.
     */
    static X509Certificate servedCertificate(int port) throws Exception {
        AtomicReference<X509Certificate> served = new AtomicReference<>();
        X509TrustManager recorder = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                served.set(chain[0]); // only looked at, never trusted for anything
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, new javax.net.ssl.TrustManager[] {recorder}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            s.startHandshake();
        } catch (IOException refusedAfterTheServersCertificate) {
            // a STRICT inbound wants a client certificate: the handshake fails after the server's certificate was seen
        }
        if (served.get() == null) throw new IOException("port " + port + " showed no certificate");
        return served.get();
    }
}
