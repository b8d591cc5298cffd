package io.strait.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.gateway.apikey.CachingApiKeyLookup.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachingApiKeyLookupTest {
    private final FakeApiKeyStore store = new FakeApiKeyStore();
    private final AtomicLong now = new AtomicLong(1_000);

    private CachingApiKeyLookup cache(int maxPositive, int maxNegative, int maxInFlight) {
        return new CachingApiKeyLookup(store, Duration.ofSeconds(10), Duration.ofSeconds(5), maxPositive, maxNegative,
                maxInFlight, now::get);
    }

    private String known(String tenant) {
        return ApiKeys.hash(IssuedKey.issue(store, tenant, null, List.of(), List.of(), null, Instant.now()).key());
    }

    private static Result get(CachingApiKeyLookup c, String hash) {
        return c.lookup(hash).toCompletableFuture().join();
    }

    @Test
    void aCacheHitNeedsNoStoreCallUntilTheTtlEnds() {
        CachingApiKeyLookup c = cache(100, 100, 10);
        String h = known("acme");
        assertThat(c.cached(h)).isNull();
        assertThat(get(c, h)).isInstanceOf(Result.Found.class);
        for (int i = 0; i < 100; i++) {
            assertThat(c.lookup(h).toCompletableFuture()).isCompletedWithValueMatching(r -> r instanceof Result.Found);
        }
        assertThat(store.lookups).hasValue(1);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        get(c, h);
        assertThat(store.lookups).hasValue(2);
    }

    @Test
    void revocationTakesEffectWithinTheTtl() {
        CachingApiKeyLookup c = cache(100, 100, 10);
        String h = known("acme");
        get(c, h);
        store.revoke(store.records.get(h).id());
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(((Result.Found) get(c, h)).record().revoked()).isFalse(); // still trusted from the cache
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(((Result.Found) get(c, h)).record().revoked()).isTrue();
    }

    @Test
    void aFloodOfOneBadKeyReachesTheStoreOncePerNegativeTtl() {
        CachingApiKeyLookup c = cache(100, 100, 10);
        String bad = ApiKeys.hash(ApiKeys.newKey());
        store.hold = true;
        List<CompletableFuture<Result>> waiting = new ArrayList<>();
        for (int i = 0; i < 1000; i++) waiting.add(c.lookup(bad).toCompletableFuture());
        assertThat(store.lookups).hasValue(1); // concurrent lookups share one store call
        store.release();
        assertThat(waiting).allMatch(f -> f.join() == Result.NOT_FOUND);
        for (int i = 0; i < 1000; i++) assertThat(get(c, bad)).isEqualTo(Result.NOT_FOUND);
        assertThat(store.lookups).hasValue(1);
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        store.hold = false;
        get(c, bad);
        assertThat(store.lookups).hasValue(2);
    }

    @Test
    void manyDifferentBadKeysAreBoundedByInFlightLimitAndCacheSize() {
        CachingApiKeyLookup c = cache(100, 50, 8);
        store.hold = true;
        List<CompletableFuture<Result>> results = new ArrayList<>();
        for (int i = 0; i < 1000; i++) results.add(c.lookup(ApiKeys.hash(ApiKeys.newKey())).toCompletableFuture());
        assertThat(store.lookups).hasValue(8);
        assertThat(results.stream().filter(f -> f.isDone() && f.join() == Result.UNAVAILABLE)).hasSize(992);
        store.release();
        assertThat(results.stream().filter(f -> f.join() == Result.NOT_FOUND)).hasSize(8);

        store.hold = false; // a long flood, answered at once: memory stays bounded
        for (int i = 0; i < 5000; i++) get(c, ApiKeys.hash(ApiKeys.newKey()));
        assertThat(c.negativeSize()).isLessThanOrEqualTo(50);
        // and after a flood the limit is free again
        assertThat(get(c, known("acme"))).isInstanceOf(Result.Found.class);
    }

    @Test
    void aFailingStoreIsUnavailableForUncachedKeysWhileCachedOnesWork() {
        CachingApiKeyLookup c = cache(100, 100, 10);
        String cachedKey = known("acme");
        String other = known("globex");
        get(c, cachedKey);
        store.fail = true;
        assertThat(get(c, cachedKey)).isInstanceOf(Result.Found.class);
        assertThat(get(c, other)).isEqualTo(Result.UNAVAILABLE);
        assertThat(get(c, ApiKeys.hash(ApiKeys.newKey()))).isEqualTo(Result.UNAVAILABLE);
        assertThat(c.negativeSize()).isZero(); // a failure is not remembered
        store.fail = false;
        assertThat(get(c, other)).isInstanceOf(Result.Found.class);
    }

    @Test
    void aThrowingStoreIsUnavailableNotAnException() {
        ApiKeyStore throwing = new FakeApiKeyStore() {
            @Override
            public java.util.concurrent.CompletionStage<java.util.Optional<ApiKeyRecord>> lookup(String hash) {
                throw new IllegalStateException("boom");
            }
        };
        CachingApiKeyLookup c = new CachingApiKeyLookup(throwing, Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(get(c, ApiKeys.hash("x"))).isEqualTo(Result.UNAVAILABLE);
        assertThat(get(c, ApiKeys.hash("x"))).isEqualTo(Result.UNAVAILABLE); // and the in-flight slot was freed
    }

    @Test
    void aZeroTtlCachesNothing() {
        CachingApiKeyLookup c = new CachingApiKeyLookup(store, Duration.ZERO, Duration.ZERO, 100, 100, 10, now::get);
        String h = known("acme");
        get(c, h);
        get(c, h);
        get(c, ApiKeys.hash("x"));
        get(c, ApiKeys.hash("x"));
        assertThat(store.lookups).hasValue(4);
    }
}
