package io.strait.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {
    private static final Rate RATE = new Rate(100, Duration.ofMinutes(1), 100);
    private static final Bucket BUCKET = new Bucket("per-client", "{k.a}:per-client", "k.a", RATE, true);
    private static final long NOW = 1_700_000_000_000_000L;

    @Test
    void anAdmittedRequestGetsLimitRemainingAndTheEpochSecondTheBucketIsFullAgain() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set("X-RateLimit-Limit", "999999"); // the upstream's own is replaced
        new RateLimitHeaders(false).allowed(h, BUCKET, new BucketState(true, 41, 35_500_000, 0), NOW);
        assertThat(h.getAll("X-RateLimit-Limit")).containsExactly("100");
        assertThat(h.get("X-RateLimit-Remaining")).isEqualTo("41");
        assertThat(h.get("X-RateLimit-Reset")).isEqualTo("1700000036");
        assertThat(h.contains("RateLimit")).isFalse();
        assertThat(h.contains("RateLimit-Policy")).isFalse();
    }

    @Test
    void ietfHeadersWhenAskedFor() {
        HttpHeaders h = new DefaultHttpHeaders();
        new RateLimitHeaders(true).allowed(h, BUCKET, new BucketState(true, 41, 35_500_000, 0), NOW);
        assertThat(h.get("RateLimit-Policy")).isEqualTo("\"per-client\";q=100;w=60");
        assertThat(h.get("RateLimit")).isEqualTo("\"per-client\";r=41;t=36");
    }

    @Test
    void aRefusalSaysWhenToRetryRoundedUpAndNeverZero() {
        Map<String, String> h = new LinkedHashMap<>();
        new RateLimitHeaders(true).refused(BUCKET, new BucketState(false, 0, 60_000_000, 200_001), NOW)
                .forEach(e -> h.put(e.getKey(), e.getValue()));
        assertThat(h).containsEntry("retry-after", "1").containsEntry("X-RateLimit-Remaining", "0")
                .containsEntry("X-RateLimit-Limit", "100").containsEntry("X-RateLimit-Reset", "1700000060")
                .containsEntry("RateLimit", "\"per-client\";r=0;t=1");
        assertThat(RateLimitHeaders.retryAfterSeconds(new BucketState(false, 0, 0, 2_000_001))).isEqualTo(3);
        assertThat(RateLimitHeaders.retryAfterSeconds(new BucketState(false, 0, 0, 1))).isEqualTo(1);
    }
}
