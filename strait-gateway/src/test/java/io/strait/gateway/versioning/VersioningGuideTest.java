package io.strait.gateway.versioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.gateway.GatewayFilters;
import io.strait.gateway.StandardAuthenticators;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The first example of docs/guides/versioning.md runs as the guide says: its configuration (the clusters pointed at a
 * real backend) answers with the headers the guide shows, and with the 410 it shows after the sunset.
 */
class VersioningGuideTest {
    private static final Path GUIDE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent()
            .resolve("docs/guides/versioning.md");
    private static final Pattern FIRST_YAML = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    @Test
    void theGuidesFirstExampleAnswersAsDocumented() throws Exception {
        String guide = Files.readString(GUIDE);
        Matcher m = FIRST_YAML.matcher(guide);
        assertThat(m.find()).isTrue();
        TestClock clock = new TestClock(Instant.parse("2026-06-01T00:00:00Z"));
        try (TestBackend backend = new TestBackend("users")) {
            String yaml = m.group(1).replace("127.0.0.1:9001", backend.address()).replace("127.0.0.1:9002", backend.address());
            ProxyFixture proxy = ProxyFixture.start(yaml, Map.of(), new GatewayFilters(new StandardAuthenticators(), clock),
                    Files.createTempDirectory("strait-guide"));
            try {
                HttpResponse<String> ok = proxy.send(HttpRequest.newBuilder(proxy.uri("/api/v1/users/7")).build());
                assertThat(ok.statusCode()).isEqualTo(200);
                for (String h : new String[] {"Deprecation", "Sunset", "Link"}) {
                    String line = h + ": " + String.join(", ", ok.headers().allValues(h));
                    assertThat(guide).as("the guide shows " + line).contains("\n" + line + "\n");
                }
                clock.set(Instant.parse("2027-12-04T00:00:00Z"));
                HttpResponse<String> gone = proxy.send(HttpRequest.newBuilder(proxy.uri("/api/v1/users/7")).build());
                assertThat(gone.statusCode()).isEqualTo(410);
                assertThat(guide).contains("HTTP/1.1 410 Gone\nSunset: " + gone.headers().firstValue("Sunset").orElseThrow());
                String body = gone.body().replaceAll("\"requestId\":\"[^\"]*\"", "\"requestId\":\"...\"").strip();
                assertThat(guide).contains(body);
            } finally {
                proxy.close();
            }
        }
    }
}
