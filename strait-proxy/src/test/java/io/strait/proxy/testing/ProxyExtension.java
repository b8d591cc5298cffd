package io.strait.proxy.testing;

import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.runtime.ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A real Strait proxy as a JUnit 5 extension, in the manner of Armeria's {@code ServerExtension}: it
 * starts {@link TestBackend}s on port 0, then a {@link ProxyFixture} from YAML whose {@code ${name}}
 * placeholders are the backends' addresses and the other {@link #var variables}, and closes both.
 * <pre>{@code
 * @RegisterExtension
 * static final ProxyExtension proxy = ProxyExtension.of("""
 *         clusters: {web: {endpoints: [{address: ${web}}]}}
 *         routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
 *         """).withBackend("web");
 * ...
 * assertThat(proxy.get("/echo").statusCode()).isEqualTo(200);
 * assertThat(proxy.backend("web").requestCount()).isEqualTo(1);
 * }</pre>
 * On a {@code static} field it serves the whole class; on an instance field, or with {@link #perTest()},
 * each test gets its own. The helpers are {@link ProxyFixture}'s; {@link #over(ClientProtocol)} gives a
 * client over HTTP/1.1 or HTTP/2 for tests run over both.
 */
public final class ProxyExtension extends ServerLifecycle {
    private final String yaml;
    private final Map<String, Boolean> backendNames = new LinkedHashMap<>();
    private final Map<String, Supplier<String>> varSuppliers = new LinkedHashMap<>();
    private Supplier<FilterModule> filters = () -> FilterModule.NONE;
    private Supplier<Path> dir = () -> {
        try {
            return Files.createTempDirectory("strait-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    };

    private final Map<String, TestBackend> backends = new LinkedHashMap<>();
    private Map<String, String> vars = Map.of();
    private ProxyFixture fixture;
    private H2Client h2;

    private ProxyExtension(String yaml) {
        this.yaml = yaml;
    }

    /** A proxy configured from {@code yaml} (without admin/listeners it gets an admin and one listener, both on port 0). */
    public static ProxyExtension of(String yaml) {
        return new ProxyExtension(yaml);
    }

    /** Starts an HTTP/1.1 {@link TestBackend} named {@code name} first; {@code ${name}} is its address. */
    public ProxyExtension withBackend(String name) {
        backendNames.put(name, false);
        return this;
    }

    /** As {@link #withBackend}, a backend that speaks HTTP/2 with prior knowledge only. */
    public ProxyExtension withH2cBackend(String name) {
        backendNames.put(name, true);
        return this;
    }

    /** {@code ${name}} in the YAML becomes {@code value.get()}, read when the proxy starts (after other extensions' beforeAll). */
    public ProxyExtension var(String name, Supplier<String> value) {
        varSuppliers.put(name, value);
        return this;
    }

    /** {@code ${name}} becomes a loopback port number that refuses connections (bound once, then closed). */
    public ProxyExtension refusedPort(String name) {
        return var(name, () -> String.valueOf(refusedPort()));
    }

    /** The filters the proxy runs with (the gateway's, for instance); none by default. */
    public ProxyExtension filters(Supplier<FilterModule> module) {
        this.filters = module;
        return this;
    }

    /** Where the config file is written (relative paths in it resolve there); a new temp directory by default. */
    public ProxyExtension dir(Supplier<Path> directory) {
        this.dir = directory;
        return this;
    }

    /** A fresh proxy and backends for every test, even on a static field. */
    public ProxyExtension perTest() {
        return markPerTest();
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    public static int refusedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void startServer() throws Exception {
        Map<String, String> all = new HashMap<>();
        for (var b : backendNames.entrySet()) {
            TestBackend backend = b.getValue() ? TestBackend.h2c(b.getKey()) : new TestBackend(b.getKey());
            backends.put(b.getKey(), backend);
            all.put(b.getKey(), backend.address());
        }
        for (var v : varSuppliers.entrySet()) all.put(v.getKey(), v.getValue().get());
        vars = Map.copyOf(all);
        fixture = ProxyFixture.start(yaml, vars, filters.get(), dir.get());
    }

    @Override
    protected void stopServer() {
        if (h2 != null) h2.close();
        h2 = null;
        if (fixture != null) fixture.close();
        fixture = null;
        for (TestBackend b : backends.values()) b.close();
        backends.clear();
    }

    /** The running proxy, for anything the helpers here do not cover. */
    public ProxyFixture fixture() {
        checkStarted();
        return fixture;
    }

    /** The backend started as {@code name}. */
    public TestBackend backend(String name) {
        checkStarted();
        TestBackend b = backends.get(name);
        if (b == null) throw new IllegalArgumentException("no backend " + name + "; declared: " + backends.keySet());
        return b;
    }

    /** The variables the YAML was filled with (backend addresses included). */
    public Map<String, String> vars() {
        checkStarted();
        return vars;
    }

    /** A client of the public listener over {@code protocol}. */
    public Downstream over(ClientProtocol protocol) {
        ProxyFixture f = fixture();
        return switch (protocol) {
            case HTTP_1_1 -> Downstream.http1(f);
            case HTTP_2 -> Downstream.http2(f, this::h2Connection);
        };
    }

    private synchronized H2Client h2Connection() {
        if (h2 == null || !h2.channel().isActive()) {
            if (h2 != null) h2.close();
            try {
                h2 = new H2Client("127.0.0.1", port());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return h2;
    }

    public ProxyServer server() {
        return fixture().server();
    }

    public Path dir() {
        return fixture().dir();
    }

    public int port() {
        return fixture().port();
    }

    public URI uri(String path) {
        return fixture().uri(path);
    }

    public URI adminUri(String path) {
        return fixture().adminUri(path);
    }

    public HttpClient client() {
        return fixture().client();
    }

    public HttpResponse<String> get(String path) {
        return fixture().get(path);
    }

    public HttpResponse<String> admin(String method, String path) {
        return fixture().admin(method, path);
    }

    public HttpResponse<String> send(HttpRequest req) {
        return fixture().send(req);
    }

    public String raw(String request, long quietMillis) throws IOException {
        return fixture().raw(request, quietMillis);
    }

    public String raw(byte[] request, long quietMillis) throws IOException {
        return fixture().raw(request, quietMillis);
    }

    /** Replaces the config file, filled with this proxy's variables; the watcher or {@code POST /reload} picks it up. */
    public void writeConfig(String yaml) throws IOException {
        fixture().writeConfig(yaml, vars());
    }

    /** As {@link #writeConfig(String)}, with {@code extra} variables as well (they win over this proxy's). */
    public void writeConfig(String yaml, Map<String, String> extra) throws IOException {
        Map<String, String> all = new HashMap<>(vars());
        all.putAll(extra);
        fixture().writeConfig(yaml, all);
    }

    /** One scrape of the admin {@code /metrics}. */
    public Metrics metrics() {
        return Metrics.scrape(fixture());
    }
}
