package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Query strings can carry credentials (an API-key parameter): the access log never writes them. */
class AccessLogQueryTest {
    @Test
    void neitherRoutedNorRejectedRequestsLogTheirQuery(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("access.log");
        try (TestBackend b = new TestBackend("b");
                ProxyFixture p = ProxyFixture.start("""
                        observability:
                          accessLog: {path: ${log}, fields: [method, path, status]}
                        clusters: {web: {endpoints: [{address: ${b}}]}}
                        routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
                        """, Map.of("b", b.address(), "log", log.toString()))) {
            assertThat(p.get("/echo/ok?api_key=strait_SECRETONE").statusCode()).isEqualTo(200);
            String bad = p.raw("GET /a/%zz?api_key=strait_SECRETTWO HTTP/1.1\r\nHost: x\r\n\r\n", 300);
            assertThat(bad).startsWith("HTTP/1.1 400");
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(log) && Files.readAllLines(log).size() >= 2);
            String text = Files.readString(log);
            assertThat(text).contains("\"path\":\"/echo/ok\"", "\"path\":\"/a/%zz\"").doesNotContain("SECRET", "api_key");
        }
    }
}
