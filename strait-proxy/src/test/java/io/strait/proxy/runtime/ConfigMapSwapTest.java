package io.strait.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.config.load.ConfigLoader;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.Metrics;
import io.strait.proxy.testing.TestBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file watcher on the layouts real platforms write: a Kubernetes ConfigMap volume (kubelet's AtomicWriter swaps a
 * {@code ..data} link to a new timestamped folder) swapped again and again under load, an editor's rename over the
 * file, and a file a {@code ${file:...}} reference reads. No request fails; each new route serves; a refused
 * configuration keeps the old one serving.
 */
class ConfigMapSwapTest {
    /** Generation {@code n}: the route "web" every request of the load takes, and a route "/genN" new in this generation. */
    static String generation(int n, String a, String b) {
        return """
                admin: {address: 127.0.0.1:0}
                listeners: [{name: public, address: 127.0.0.1:0}]
                clusters:
                  a: {endpoints: [{address: %s}]}
                  b: {endpoints: [{address: %s}]}
                routes:
                  - {name: gen%d, match: {pathPrefix: /gen%d/}, cluster: b}
                  - {name: web, match: {pathPrefix: /}, cluster: a}
                """.formatted(a, b, n, n);
    }

    @TempDir
    Path dir;
    TestBackend a;
    TestBackend b;
    ProxyServer server;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void backends() throws Exception {
        a = new TestBackend("a");
        b = new TestBackend("b");
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        a.close();
        b.close();
    }

    /** kubelet's AtomicWriter: a new timestamped folder, {@code ..data_tmp} pointing at it renamed over {@code ..data}, the old folder removed. */
    private void configMapUpdate(int n, String yaml) throws IOException {
        Path previous = Files.exists(dir.resolve("..data"), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                ? dir.resolve(Files.readSymbolicLink(dir.resolve("..data"))) : null;
        String stamp = "..2026_12_06_01_02_%02d.%03d".formatted(n % 60, n);
        Path version = Files.createDirectory(dir.resolve(stamp));
        Files.writeString(version.resolve("strait.yaml"), yaml);
        Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(stamp));
        Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (previous != null) {
            Files.delete(previous.resolve("strait.yaml"));
            Files.delete(previous);
        }
        if (!Files.exists(dir.resolve("strait.yaml"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(dir.resolve("strait.yaml"), Path.of("..data/strait.yaml"));
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port("public") + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String backendOf(String path) throws IOException, InterruptedException {
        HttpResponse<String> res = get(path);
        return res.statusCode() == 200 ? Json.parse(res.body()).get("backend").asText() : String.valueOf(res.statusCode());
    }

    private double reloads(String result) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            server.metrics().scrape(out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return Metrics.parse(out.toString(StandardCharsets.UTF_8)).value("strait_config_reloads_total", Map.of("result", result));
    }

    private void start(Path file) throws Exception {
        server = ProxyServer.start(ConfigLoader.load(file), file);
    }

    @Test
    void aConfigMapSwappedAgainAndAgainUnderLoadLosesNoRequestAndServesEachNewRoute() throws Exception {
        configMapUpdate(1, generation(1, a.address(), b.address()));
        start(dir.resolve("strait.yaml"));
        assertThat(backendOf("/gen1/echo")).isEqualTo("b");

        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger total = new AtomicInteger();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> workers = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers.add(pool.submit(() -> {
                    for (int i = 0; running.get(); i++) {
                        try {
                            HttpResponse<String> res = get("/echo/" + id + "/" + i);
                            total.incrementAndGet();
                            if (res.statusCode() != 200) failures.add(res.statusCode() + " " + res.body());
                        } catch (IOException | RuntimeException e) {
                            failures.add(e.toString());
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> total.get() > 100);
            for (int n = 2; n <= 8; n++) {
                if (n == 5) {
                    // a refused configuration in the middle of the swaps: the running one keeps serving
                    double refusedBefore = reloads("failure");
                    configMapUpdate(n, generation(n, a.address(), b.address()).replace("cluster: b}", "cluster: nope}"));
                    await().atMost(Duration.ofSeconds(10)).until(() -> reloads("failure") > refusedBefore);
                    assertThat(backendOf("/gen4/echo")).isEqualTo("b");
                    assertThat(backendOf("/gen5/echo")).isEqualTo("a"); // not routed: "web" takes it
                    continue;
                }
                int gen = n;
                int before = total.get();
                configMapUpdate(n, generation(n, a.address(), b.address()));
                await().atMost(Duration.ofSeconds(10)).until(() -> backendOf("/gen" + gen + "/echo").equals("b"));
                // the previous generation's route is gone (it goes to "web" now)
                assertThat(backendOf("/gen" + (n == 6 ? 4 : n - 1) + "/echo")).isEqualTo("a");
                await().atMost(Duration.ofSeconds(5)).until(() -> total.get() > before + 50); // load in between swaps
            }
        } finally {
            running.set(false);
            for (Future<?> w : workers) w.get(20, TimeUnit.SECONDS);
            pool.shutdownNow();
        }
        assertThat(failures).as("failed requests out of %d", total.get()).isEmpty();
        assertThat(total.get()).isGreaterThan(400);
        assertThat(reloads("success")).isEqualTo(6);
    }

    @Test
    void anEditorThatRenamesItsNewFileOverTheOldIsAChange() throws Exception {
        Path file = Files.writeString(dir.resolve("strait.yaml"), generation(1, a.address(), b.address()));
        start(file);
        // vim's default (backupcopy=auto, the file not a link): the file renamed to its backup, a new file written, the backup removed
        Files.move(file, dir.resolve("strait.yaml~"), StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(file, generation(2, a.address(), b.address()));
        Files.delete(dir.resolve("strait.yaml~"));
        await().atMost(Duration.ofSeconds(10)).until(() -> backendOf("/gen2/echo").equals("b"));
        // sed -i and atomic writers: a temporary file in the same folder renamed over it
        Path tmp = Files.writeString(dir.resolve("sedAb12Cd"), generation(3, a.address(), b.address()));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(10)).until(() -> backendOf("/gen3/echo").equals("b"));
        assertThat(backendOf("/gen2/echo")).isEqualTo("a");
    }

    @Test
    void aFileThatAReferenceReadsIsWatchedAsTheConfigIs() throws Exception {
        Path prefix = Files.writeString(dir.resolve("prefix.txt"), "/first/\n");
        Path file = Files.writeString(dir.resolve("strait.yaml"), generation(1, a.address(), b.address())
                .replace("pathPrefix: /gen1/", "pathPrefix: '${file:prefix.txt}'"));
        start(file);
        assertThat(backendOf("/first/echo")).isEqualTo("b");
        Path tmp = Files.writeString(dir.resolve("prefix.txt.tmp"), "/second/\n");
        Files.move(tmp, prefix, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(10)).until(() -> backendOf("/second/echo").equals("b"));
        assertThat(backendOf("/first/echo")).isEqualTo("a");
        // the admin API shows the reference as written, not what it read
        HttpResponse<String> config = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.adminPort() + "/config")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(config.body()).contains("${file:prefix.txt}").doesNotContain("/second/");
    }
}
