package io.strait.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.gateway.GatewayUnderTest.Answer;
import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.apikey.IssuedKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rate limits with the local store, end to end through the real gateway: counts, headers, keys, plans, reload. */
class GatewayRateLimitTest {
    private static final String CONFIG = """
            auth:
              apiKeys: {store: {type: file, path: keys.json}}
            rateLimits:
              ietfHeaders: true
              policies:
                per-client: {limit: 5, window: 1m, key: [client], plans: {gold: {limit: 8}}}
                tight: {limit: 2, window: 1m, key: [client, method]}
                fast: {limit: 2, window: 1s, key: [client]}
                team: {limit: 3, window: 1m, key: [route, "header:X-Team"]}
            clusters:
              b: {endpoints: [{address: "${b}"}]}
            routes:
              - {name: open, match: {pathPrefix: /open}, cluster: b, rateLimit: per-client}
              - {name: keys, match: {pathPrefix: /keys}, cluster: b, auth: apiKey, rateLimit: [per-client]}
              - {name: both, match: {pathPrefix: /both}, cluster: b, rateLimit: [per-client, tight]}
              - {name: fast, match: {pathPrefix: /fast}, cluster: b, rateLimit: [fast]}
              - {name: team, match: {pathPrefix: /team}, cluster: b, rateLimit: [team]}
              - {name: free, match: {pathPrefix: /free}, cluster: b}
            """;

    private Path dir;
    private GatewayUnderTest gw;
    private IssuedKey plain;
    private IssuedKey silver;
    private IssuedKey gold;

    /** Keys are issued before the gateway starts: it reads the key file then (and re-reads it on change). */
    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("strait-rl");
        plain = key(null);
        silver = key("silver");
        gold = key("gold");
        gw = GatewayUnderTest.start(CONFIG, Map.of(), dir);
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
    }

    private IssuedKey key(String plan) {
        try (FileApiKeyStore s = FileApiKeyStore.open(dir.resolve("keys.json"))) {
            return IssuedKey.issue(s, "acme", plan, List.of(), List.of(), null, Instant.now());
        }
    }

    /** Sends {@code n} GETs at once and returns the answers. */
    private List<Answer> concurrently(int n, String path, String... headers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<CompletableFuture<Answer>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.add(CompletableFuture.supplyAsync(() -> Answer.of(gw.proxy.send(java.net.http.HttpRequest
                        .newBuilder(gw.proxy.uri(path)).headers(headers.length == 0 ? new String[] {"X-N", "1"} : headers)
                        .build()), 0), pool));
            }
            List<Answer> out = new ArrayList<>();
            for (CompletableFuture<Answer> f : all) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long count(List<Answer> answers, int status) {
        return answers.stream().filter(a -> a.status() == status).count();
    }

    @Test
    void exactlyTheLimitOfConcurrentRequestsPassAndTheRestGet429WithRetryAfter() throws Exception {
        int before = gw.backend.requestCount();
        long nowSeconds = Instant.now().getEpochSecond();
        List<Answer> answers = concurrently(20, "/open/x");
        long afterSeconds = Instant.now().getEpochSecond();
        assertThat(count(answers, 200)).isEqualTo(5);
        assertThat(count(answers, 429)).isEqualTo(15);
        assertThat(gw.backend.requestCount() - before).isEqualTo(5);
        Answer refused = answers.stream().filter(a -> a.status() == 429).findFirst().orElseThrow();
        assertThat(refused.json().path("error").asText()).isEqualTo("rate_limited");
        assertThat(refused.json().path("message").asText()).contains("per-client");
        assertThat(refused.json().path("requestId").asText()).isNotEmpty();
        long retry = Long.parseLong(refused.all("retry-after").get(0));
        assertThat(retry).isBetween(1L, 12L); // one request's worth: 60 s / 5
        assertThat(refused.all("x-ratelimit-limit")).containsExactly("5");
        assertThat(refused.all("x-ratelimit-remaining")).containsExactly("0");
        assertThat(Long.parseLong(refused.all("x-ratelimit-reset").get(0))).isBetween(nowSeconds + 55, afterSeconds + 61);
        assertThat(refused.all("ratelimit-policy")).containsExactly("\"per-client\";q=5;w=60");
        // a route without limits is not touched
        assertThat(gw.get("/free/x").status()).isEqualTo(200);
        assertThat(gw.get("/free/x").all("x-ratelimit-limit")).isEmpty();
        // counted in /metrics
        String metrics = gw.proxy.admin("GET", "/metrics").body();
        assertThat(metrics).contains("strait_ratelimit_requests_total{result=\"limited\",route=\"open\"} 15.0")
                .contains("strait_ratelimit_requests_total{result=\"allowed\",route=\"open\"} 5.0")
                .contains("strait_ratelimit_limited_total{policy=\"per-client\",route=\"open\"} 15.0");
    }

    @Test
    void anAdmittedResponseSaysHowManyAreLeftAndWhenTheBucketIsFullAgain() {
        long nowSeconds = Instant.now().getEpochSecond();
        Answer first = gw.get("/open/1");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.all("x-ratelimit-limit")).containsExactly("5");
        assertThat(first.all("x-ratelimit-remaining")).containsExactly("4");
        // one request costs 12 s of a 60 s window: the bucket is full again 12 s from now
        assertThat(Long.parseLong(first.all("x-ratelimit-reset").get(0))).isBetween(nowSeconds + 11, nowSeconds + 14);
        assertThat(first.all("ratelimit")).containsExactly("\"per-client\";r=4;t=12");
        assertThat(gw.get("/open/2").all("x-ratelimit-remaining")).containsExactly("3");
    }

    @Test
    void eachApiKeyHasItsOwnBucketAndAGoldPlanItsOwnLimit() throws Exception {
        assertThat(count(concurrently(12, "/keys/x", "X-API-Key", plain.key()), 200)).isEqualTo(5);
        // a plan the policy does not name: the policy's limit
        assertThat(count(concurrently(12, "/keys/x", "X-API-Key", silver.key()), 200)).isEqualTo(5);
        List<Answer> golden = concurrently(12, "/keys/x", "X-API-Key", gold.key());
        assertThat(count(golden, 200)).isEqualTo(8);
        assertThat(golden.stream().filter(a -> a.status() == 200).findFirst().orElseThrow().all("x-ratelimit-limit"))
                .containsExactly("8");
        // the anonymous client (by address) is a bucket of its own, untouched by the keys
        assertThat(gw.get("/open/x").all("x-ratelimit-remaining")).containsExactly("4");
        // an unauthenticated request is refused by auth and charges nothing
        assertThat(gw.get("/keys/x").status()).isEqualTo(401);
    }

    @Test
    void withSeveralLimitsTheStrictestAnswersAndARefusalChargesNone() {
        assertThat(gw.get("/both/1").status()).isEqualTo(200);
        Answer second = gw.get("/both/2");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.all("x-ratelimit-limit")).containsExactly("2"); // tight is nearest its limit
        assertThat(second.all("x-ratelimit-remaining")).containsExactly("0");
        for (int i = 0; i < 3; i++) {
            Answer third = gw.get("/both/3");
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.json().path("message").asText()).contains("'tight'");
        }
        // the refusals by 'tight' did not use up 'per-client': 3 of its 5 are left
        Answer other = gw.get("/open/x");
        assertThat(other.all("x-ratelimit-remaining")).containsExactly("2");
    }

    @Test
    void aBucketRefillsAtItsRate() throws Exception {
        assertThat(gw.get("/fast").status()).isEqualTo(200);
        assertThat(gw.get("/fast").status()).isEqualTo(200);
        Answer refused = gw.get("/fast");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.all("retry-after")).containsExactly("1");
        // creates the timing condition: the gateway's real clock refills the bucket (one request every 500 ms);
        // waiting on requests instead would spend the tokens the test counts
        Thread.sleep(600);
        assertThat(gw.get("/fast").status()).isEqualTo(200);
        assertThat(gw.get("/fast").status()).isEqualTo(429);
        Thread.sleep(1100); // a whole window: the bucket is full again
        assertThat(gw.get("/fast").status()).isEqualTo(200);
        assertThat(gw.get("/fast").status()).isEqualTo(200);
        assertThat(gw.get("/fast").status()).isEqualTo(429);
    }

    @Test
    void headerValuesAreSeparateBucketsAndHugeOrUnicodeValuesAreHandledLikeAnyOther() throws Exception {
        for (int i = 0; i < 3; i++) assertThat(gw.get("/team", "X-Team", "blue").status()).isEqualTo(200);
        assertThat(gw.get("/team", "X-Team", "blue").status()).isEqualTo(429);
        assertThat(gw.get("/team", "X-Team", "red").status()).isEqualTo(200);
        String huge = "z".repeat(4000); // the test backend's header limit is 8 KiB
        for (int i = 0; i < 3; i++) assertThat(gw.get("/team", "X-Team", huge).status()).isEqualTo(200);
        assertThat(gw.get("/team", "X-Team", huge).status()).isEqualTo(429);
        assertThat(gw.get("/team", "X-Team", huge + "!").status()).isEqualTo(200);
        // non-ASCII bytes (obs-text; the JDK client refuses to send them, so raw)
        assertThat(gw.raw("GET /team HTTP/1.1\r\nHost: x\r\nX-Team: \u00c3\u00a9quipe-\u00e6\u0097\u00a5").status()).isEqualTo(200);
        for (int i = 0; i < 3; i++) assertThat(gw.get("/team").status()).isEqualTo(200); // no header: one shared bucket
        assertThat(gw.get("/team").status()).isEqualTo(429);
    }

    @Test
    void overHttp2StreamsOfOneConnectionShareTheClientsBucket() throws Exception {
        try (io.strait.proxy.testing.H2Client h2 = new io.strait.proxy.testing.H2Client("127.0.0.1", gw.proxy.port())) {
            List<CompletableFuture<io.strait.proxy.testing.H2Client.Response>> all = new ArrayList<>();
            for (int i = 0; i < 9; i++) all.add(h2.get("/open/h2"));
            int ok = 0, limited = 0;
            for (CompletableFuture<io.strait.proxy.testing.H2Client.Response> f : all) {
                io.strait.proxy.testing.H2Client.Response r = f.get(10, java.util.concurrent.TimeUnit.SECONDS);
                if (r.status() == 200) {
                    ok++;
                    assertThat(r.headers().get("x-ratelimit-limit")).isEqualTo("5");
                } else {
                    limited++;
                    assertThat(r.status()).isEqualTo(429);
                    assertThat(r.headers().get("retry-after")).isNotNull();
                    assertThat(r.body()).contains("\"error\":\"rate_limited\"");
                }
            }
            assertThat(ok).isEqualTo(5);
            assertThat(limited).isEqualTo(4);
        }
    }

    @Test
    void aReloadKeepsEveryonesBucketsAndAppliesANewLimit() throws Exception {
        assertThat(count(concurrently(8, "/open/x"), 200)).isEqualTo(5);
        gw.proxy.writeConfig(CONFIG.replace("per-client: {limit: 5,", "per-client: {limit: 6,"), Map.of("b", gw.backend.address()));
        assertThat(gw.proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
        // the bucket is kept (still empty: a reset would have let 6 through), and the new limit is the one reported
        List<Answer> after = concurrently(8, "/open/x");
        assertThat(count(after, 200)).isZero();
        assertThat(after.get(0).all("x-ratelimit-limit")).containsExactly("6");
    }
}
