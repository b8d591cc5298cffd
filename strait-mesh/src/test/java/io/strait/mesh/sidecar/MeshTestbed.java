package io.strait.mesh.sidecar;

import io.strait.config.model.HostPort;
import io.strait.mesh.ca.CaMaterial;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.ca.IssuedSvid;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.Svid;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.peerauth.PeerAuthMode;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real mesh PKI for sidecar tests: a root, a CA issuing SVIDs from CSRs made with {@link WorkloadKey} (the
 * private key never leaves the "sidecar"), sidecar configs on port 0, and a small HTTP/1.1 client over a plain
 * or TLS socket (the JDK HttpClient cannot set {@code Host} nor skip host name checks for SVIDs, which have no
 * DNS name).
 */
final class MeshTestbed {
    static final String TD = TestPki.TD;
    final CaMaterial root;
    final CertificateAuthority ca;
    final TrustBundle bundle;

    MeshTestbed() throws Exception {
        root = TestPki.root(Instant.now(), Duration.ofDays(2));
        ca = TestPki.ca(root, Duration.ofHours(1), Clock.systemUTC());
        bundle = TrustBundle.of(TD, root.root());
    }

    static SpiffeId id(String ns, String sa) {
        return new SpiffeId(TD, ns, sa);
    }

    /** A fresh key and an SVID for it, issued by this CA from a CSR. */
    Svid svid(String ns, String sa) throws Exception {
        WorkloadKey key = WorkloadKey.generate();
        SpiffeId id = id(ns, sa);
        IssuedSvid issued = ca.sign(key.csrDer(id), id);
        return new Svid(issued.chain(), key.privateKey());
    }

    /** Hex SHA-256 of a certificate's DER, as X-Forwarded-Client-Cert's Hash. */
    static String sha256Hex(X509Certificate c) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }

    /** A sidecar config with every port 0 (inbound on 127.0.0.1). */
    static SidecarConfig config(String service, String ns, String sa, int appPort, PeerAuthMode mode, Map<String, Integer> ports) {
        return new SidecarConfig(service, ns, sa, null, Map.of("app", service),
                new SidecarConfig.ControlPlane(new HostPort("127.0.0.1", 15012), null, "sjt_secret-token-value", null),
                new SidecarConfig.Inbound("127.0.0.1", 0, appPort, mode),
                new SidecarConfig.Outbound(0, ports), new SidecarConfig.Admin(0));
    }

    /** A service whose one endpoint is {@code target}'s inbound port, expected to be {@code identity}. */
    static MeshState.Service service(String name, String ns, SidecarEngine target, SpiffeId identity) {
        return new MeshState.Service(name, ns, List.of(new MeshState.Endpoint(new HostPort("127.0.0.1", target.inboundPort()), identity,
                null, Map.of())), null);
    }

    /** TLS for a test client: {@code chain}/{@code key} as its certificate (or none), trusting {@code trusted}. */
    static SSLContext tls(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        if (chain != null) ks.setKeyEntry("me", key, "pw".toCharArray(), chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        for (int i = 0; i < trusted.size(); i++) ts.setCertificateEntry("ca" + i, trusted.get(i));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A process's exit code and its output (stdout and stderr). */
    record Run(int exit, String output) {}

    /** Runs a command from /usr/bin (curl, openssl) with stdin closed, up to 20 s; a missing binary fails the test. */
    static Run run(String... command) throws Exception {
        if (!java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin", command[0]))) {
            throw new AssertionError(command[0] + " is needed by this test and is not in /usr/bin");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(new java.io.File("/dev/null")).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 20 s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Writes an SVID's chain and key (PKCS#8) as PEM files into {@code dir}: {@code name.pem}, {@code name.key}. */
    static void writePem(java.nio.file.Path dir, String name, Svid svid) throws IOException {
        StringBuilder chain = new StringBuilder();
        for (X509Certificate c : svid.chain()) chain.append(io.strait.mesh.identity.TrustBundle.pem(c));
        java.nio.file.Files.writeString(dir.resolve(name + ".pem"), chain);
        java.nio.file.Files.writeString(dir.resolve(name + ".key"), "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(svid.privateKey().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
    }

    /** A response read by {@link #get}. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** {@code GET path} with {@code Host: host} and extra headers over a new plain connection. */
    static Response get(int port, String host, String path, Map<String, String> headers) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            return exchange(s, host, path, headers);
        }
    }

    /** The same over TLS; the handshake failing throws. */
    static Response getTls(SSLContext ctx, int port, String host, String path, Map<String, String> headers) throws IOException {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.startHandshake();
            return exchange(s, host, path, headers);
        }
    }

    static Response exchange(Socket s, String host, String path, Map<String, String> headers) throws IOException {
        s.setSoTimeout(10_000);
        StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        OutputStream out = s.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read(s.getInputStream());
    }

    private static Response read(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) throw new IOException("connection closed before a response");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int c = l.indexOf(':');
            headers.merge(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim(), (a, b) -> a + "," + b);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int n = Integer.parseInt(line(in).trim(), 16); n > 0; n = Integer.parseInt(line(in).trim(), 16)) {
                body.write(in.readNBytes(n));
                line(in);
            }
        } else {
            body.write(in.readAllBytes());
        }
        return new Response(Integer.parseInt(status.split(" ")[1]), headers, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') break;
            if (c != '\r') b.write(c);
        }
        return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }
}
