package io.strait.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.config.model.RateLimitPolicy.Descriptor;
import io.strait.config.model.RateLimitPolicy.Descriptor.Kind;
import io.strait.gateway.auth.Identity;
import io.strait.proxy.filter.RequestContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What the request path prepares once or reuses: header texts, key templates, derived slots, rates. */
class RateLimitTextsTest {
    private static final Rate RATE = new Rate(100, Duration.ofMinutes(1), 100);
    private static final long NOW = 1_700_000_000_000_000L;

    private static RequestContext request() {
        return new RequestContext(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x"),
                new InetSocketAddress("10.1.2.3", 5555), false, "HTTP/1.1");
    }

    private static HttpHeaders allowed(RateLimitHeaders headers, Rate rate, BucketState s, long now) {
        RequestContext ctx = request();
        headers.allowed(ctx, RateLimitHeaders.texts("p", rate), s, now);
        HttpHeaders h = new DefaultHttpHeaders();
        ctx.applyResponseHeaders(h);
        return h;
    }

    @Test
    void numbersAreWrittenAsLongToStringWrites() {
        SplittableRandom random = new SplittableRandom(7);
        long[] edges = {0, 1, 9, 10, 99, 100, 101, 999, 1000, 1023, 1024, 1025, 99_999, 999_999_999, 1_000_000_000,
            1_700_000_036, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Long.MAX_VALUE, -1, Long.MIN_VALUE};
        for (long n : edges) {
            assertThat(RateLimitHeaders.count(n).toString()).as("%d", n).isEqualTo(Long.toString(n));
            assertThat(RateLimitHeaders.decimal(n).toString()).as("%d", n).isEqualTo(Long.toString(n));
        }
        for (int i = 0; i < 10_000; i++) {
            long n = random.nextLong(0, 1L << (1 + random.nextInt(40)));
            assertThat(RateLimitHeaders.decimal(n).toString()).isEqualTo(Long.toString(n));
        }
    }

    @Test
    void aFullBucketAndAnyOtherGetTheirOwnCountsAndResetsAreNotMixedUp() {
        RateLimitHeaders headers = new RateLimitHeaders(true);
        HttpHeaders full = allowed(headers, RATE, new BucketState(true, 99, 600_000, 0), NOW);
        assertThat(full.get("X-RateLimit-Limit")).isEqualTo("100");
        assertThat(full.get("X-RateLimit-Remaining")).isEqualTo("99");
        assertThat(full.get("X-RateLimit-Reset")).isEqualTo("1700000001");
        assertThat(full.get("RateLimit-Policy")).isEqualTo("\"p\";q=100;w=60");
        assertThat(full.get("RateLimit")).isEqualTo("\"p\";r=99;t=1");

        HttpHeaders half = allowed(headers, RATE, new BucketState(true, 50, 30_000_000, 0), NOW);
        assertThat(half.get("X-RateLimit-Remaining")).isEqualTo("50");
        assertThat(half.get("X-RateLimit-Reset")).isEqualTo("1700000030");
        assertThat(half.get("RateLimit")).isEqualTo("\"p\";r=50;t=30");
        // burst - 1 left but not a full bucket's reset (a store's rounding): the values are written out
        assertThat(allowed(headers, RATE, new BucketState(true, 99, 1_200_000, 0), NOW).get("RateLimit"))
                .isEqualTo("\"p\";r=99;t=2");

        Rate big = new Rate(1_000_000, Duration.ofSeconds(1), 5_000);
        assertThat(allowed(headers, big, new BucketState(true, 4_321, 1, 0), NOW).get("X-RateLimit-Remaining"))
                .isEqualTo("4321");
        assertThat(allowed(headers, big, new BucketState(true, 4_999, 1, 0), NOW).get("X-RateLimit-Remaining"))
                .isEqualTo("4999");
        // seconds 64 apart share a slot of the reset texts: each gets its own value
        long later = NOW + 64_000_000;
        assertThat(allowed(headers, RATE, new BucketState(true, 98, 600_000, 0), later).get("X-RateLimit-Reset"))
                .isEqualTo("1700000065");
        assertThat(allowed(headers, RATE, new BucketState(true, 98, 600_000, 0), NOW).get("X-RateLimit-Reset"))
                .isEqualTo("1700000001");
    }

    @Test
    void keysOfConstantPartsAreMadeOnceAndSlotsAreReadFromTheKey() {
        Identity jwt = new Identity("jwt:main", "alice", "acme", Set.of(), null, Map.of());
        BucketKeys.Template route = new BucketKeys.Template("p", List.of(new Descriptor(Kind.ROUTE, null),
                new Descriptor(Kind.ROUTE, null)), "users");
        Bucket a = route.bucket(request(), null, RATE, true);
        assertThat(a.key()).isEqualTo("{users}:p:users");
        assertThat(a.slot()).isEqualTo("users");
        assertThat(route.bucket(request(), jwt, RATE, true).key()).isSameAs(a.key());

        BucketKeys.Template client = new BucketKeys.Template("p", List.of(new Descriptor(Kind.CLIENT, null),
                new Descriptor(Kind.ROUTE, null)), "users");
        Bucket b = client.bucket(request(), jwt, RATE, false);
        assertThat(b.key()).isEqualTo("{u.alice}:p:users");
        assertThat(b.slot()).isEqualTo("u.alice");
        assertThat(b.failOpen()).isFalse();
        assertThat(client.bucket(request(), null, RATE, true).slot()).isEqualTo("ip.10.1.2.3");

        BucketKeys.Template tenantMethod = new BucketKeys.Template("p", List.of(new Descriptor(Kind.TENANT, null),
                new Descriptor(Kind.METHOD, null), new Descriptor(Kind.ROUTE, null)), "users");
        Bucket c = tenantMethod.bucket(request(), jwt, RATE, true);
        assertThat(c.key()).isEqualTo("{t.acme}:p:GET:users");
        assertThat(c.slot()).isEqualTo("t.acme");
        assertThat(new Bucket("p", "{x}:p", "given", RATE, true).slot()).isEqualTo("given");
    }

    @Test
    void aRateIsAValueWithItsIntervalWorkedOut() {
        Rate r = new Rate(10, Duration.ofSeconds(1), 5);
        assertThat(r).isEqualTo(new Rate(10, Duration.ofMillis(1000), 5)).hasSameHashCodeAs(new Rate(10, Duration.ofSeconds(1), 5))
                .isNotEqualTo(new Rate(10, Duration.ofSeconds(1), 6)).isNotEqualTo(new Rate(11, Duration.ofSeconds(1), 5));
        assertThat(r.intervalMicros()).isEqualTo(100_000);
        assertThat(r.toleranceMicros()).isEqualTo(500_000);
        assertThat(r).hasToString("Rate[limit=10, window=PT1S, burst=5]");
    }
}
