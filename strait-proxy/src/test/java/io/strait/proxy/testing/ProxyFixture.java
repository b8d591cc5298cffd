package io.strait.proxy.testing;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.proxy.runtime.ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real Strait proxy for integration tests: configured from YAML text (with {@code ${name}}
 * placeholders for backend addresses), listening on an ephemeral port, with its config in a temp
 * file so tests can rewrite and reload it.
 */
public final class ProxyFixture implements AutoCloseable {
    /** A top-level {@code admin:} section (not a scope such as {@code admin:write}): without one, admin goes on a free port. */
    private static final java.util.regex.Pattern ADMIN_SECTION = java.util.regex.Pattern.compile("(?m)^admin:");
    private final Path dir;
    private final Path configFile;
    private final ProxyServer server;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ProxyFixture(Path dir, Path configFile, ProxyServer server) {
        this.dir = dir;
        this.configFile = configFile;
        this.server = server;
    }

    /** YAML without admin/listeners gets an admin and one listener "public", both on port 0. */
    public static ProxyFixture start(String yaml, Map<String, String> vars) throws Exception {
        return start(yaml, vars, io.strait.proxy.filter.FilterModule.NONE);
    }

    /** As {@link #start(String, Map)}, with the filters of {@code filters} (the gateway's, for instance). */
    public static ProxyFixture start(String yaml, Map<String, String> vars, io.strait.proxy.filter.FilterModule filters)
            throws Exception {
        return start(yaml, vars, filters, Files.createTempDirectory("strait-test"));
    }

    /** As {@link #start(String, Map, io.strait.proxy.filter.FilterModule)}, with the config file in {@code dir} (relative paths in it resolve there). */
    public static ProxyFixture start(String yaml, Map<String, String> vars, io.strait.proxy.filter.FilterModule filters,
            Path dir) throws Exception {
        return start(yaml, vars, filters, dir, new io.strait.proxy.tls.CertificateSources());
    }

    /** As {@link #start(String, Map, io.strait.proxy.filter.FilterModule, Path)}, with certificate sources set by code. */
    public static ProxyFixture start(String yaml, Map<String, String> vars, io.strait.proxy.filter.FilterModule filters,
            Path dir, io.strait.proxy.tls.CertificateSources certificates) throws Exception {
        return start(yaml, vars, filters, dir, certificates, io.strait.proxy.runtime.ConfigCompletion.NONE);
    }

    /** As {@link #start(String, Map, io.strait.proxy.filter.FilterModule, Path, io.strait.proxy.tls.CertificateSources)}, with a completion. */
    public static ProxyFixture start(String yaml, Map<String, String> vars, io.strait.proxy.filter.FilterModule filters,
            Path dir, io.strait.proxy.tls.CertificateSources certificates, io.strait.proxy.runtime.ConfigCompletion completion)
            throws Exception {
        Path file = dir.resolve("strait.yaml");
        Files.writeString(file, withDefaults(substitute(yaml, vars)));
        ProxyServer server = ProxyServer.start(ConfigLoader.load(file, filters.catalog()), file, filters, certificates, completion);
        return new ProxyFixture(dir, file, server);
    }

    /** The directory holding the config file (and anything else a test writes beside it). */
    public Path dir() {
        return dir;
    }

    public static String substitute(String yaml, Map<String, String> vars) {
        String out = yaml;
        for (var e : vars.entrySet()) out = out.replace("${" + e.getKey() + "}", e.getValue());
        return out;
    }

    static String withDefaults(String yaml) {
        StringBuilder sb = new StringBuilder();
        if (!ADMIN_SECTION.matcher(yaml).find()) sb.append("admin: {address: 127.0.0.1:0}\n");
        if (!yaml.contains("listeners:")) sb.append("listeners:\n  - {name: public, address: 127.0.0.1:0}\n");
        if (!yaml.contains("observability:")) sb.append("observability: {accessLog: {enabled: false}}\n");
        return sb.append(yaml).toString();
    }

    /** Replaces the config file (same defaults as start); the watcher or POST /reload picks it up. */
    public void writeConfig(String yaml, Map<String, String> vars) throws IOException {
        Path tmp = dir.resolve("next.yaml");
        Files.writeString(tmp, withDefaults(substitute(yaml, vars)));
        Files.move(tmp, configFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public ProxyServer server() {
        return server;
    }

    public int port() {
        return server.port("public");
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + server.adminPort() + path);
    }

    public HttpClient client() {
        return client;
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    public HttpResponse<String> admin(String method, String path) {
        return send(HttpRequest.newBuilder(adminUri(path)).method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    public HttpResponse<String> send(HttpRequest req) {
        try {
            return client.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes raw bytes on a fresh connection and returns everything the proxy sends back until it
     * closes the connection or stays silent for {@code quietMillis}.
     */
    public String raw(String request, long quietMillis) throws IOException {
        return raw(request.getBytes(StandardCharsets.ISO_8859_1), quietMillis);
    }

    public String raw(byte[] request, long quietMillis) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout((int) quietMillis);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            return readUntilQuiet(s.getInputStream());
        }
    }

    /** Whether the proxy closed the connection: the read ended with EOF rather than silence. */
    public static String readUntilQuiet(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        try {
            int n;
            while ((n = in.read(b)) >= 0) buf.write(b, 0, n);
            buf.write("\n<EOF>".getBytes(StandardCharsets.ISO_8859_1));
        } catch (SocketTimeoutException quiet) {
            // the proxy is waiting for more: the connection is still open
        } catch (IOException reset) {
            buf.write("\n<RESET>".getBytes(StandardCharsets.ISO_8859_1));
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    public static String yamlOrFail(String yaml) {
        try {
            ConfigLoader.parse(withDefaults(yaml), "test");
            return yaml;
        } catch (ConfigException e) {
            throw new AssertionError(String.join("\n", e.errors()));
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
