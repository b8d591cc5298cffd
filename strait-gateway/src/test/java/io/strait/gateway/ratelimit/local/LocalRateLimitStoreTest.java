package io.strait.gateway.ratelimit.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.strait.gateway.ratelimit.Bucket;
import io.strait.gateway.ratelimit.BucketState;
import io.strait.gateway.ratelimit.MicroClock;
import io.strait.gateway.ratelimit.Rate;
import io.strait.gateway.ratelimit.RateLimitStoreException;
import io.strait.gateway.ratelimit.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalRateLimitStoreTest {
    /** Far enough from 0 that a new bucket (TAT 0) is long full. */
    private static final long T0 = 1_700_000_000_000_000L;
    /** Long enough that the periodic sweep never runs during a test that does not want it. */
    private static final Duration NO_PERIODIC_SWEEP = Duration.ofHours(1);
    private static final Rate TEN_PER_SECOND = new Rate(10, Duration.ofSeconds(1), 10);

    private final AtomicLong now = new AtomicLong(T0);
    private final MicroClock fake = now::get;
    private final List<LocalRateLimitStore> stores = new ArrayList<>();

    @AfterEach
    void closeStores() {
        stores.forEach(LocalRateLimitStore::close);
    }

    private LocalRateLimitStore store(int maxBuckets, MicroClock clock, Duration sweepInterval) {
        LocalRateLimitStore s = new LocalRateLimitStore(maxBuckets, clock, sweepInterval);
        stores.add(s);
        return s;
    }

    private LocalRateLimitStore fakeStore() {
        return store(1000, fake, NO_PERIODIC_SWEEP);
    }

    private static Bucket bucket(String key, Rate rate) {
        return new Bucket("p", key, "c1", rate, true);
    }

    private static Bucket bucket(String policy, String key, Rate rate) {
        return new Bucket(policy, key, key, rate, true);
    }

    private static int admitted(LocalRateLimitStore s, List<Bucket> buckets, int requests) {
        int ok = 0;
        for (int i = 0; i < requests; i++) {
            if (s.acquireNow(buckets).allowed()) ok++;
        }
        return ok;
    }

    private void advanceMillis(long millis) {
        now.addAndGet(millis * 1000);
    }

    @Test
    void admitsExactlyTheBurstOfMoreRequests() {
        LocalRateLimitStore s = fakeStore();
        List<Bucket> b = List.of(bucket("{c1}:p:c1", TEN_PER_SECOND));
        assertThat(admitted(s, b, 17)).isEqualTo(10);
    }

    @Test
    void withTheRealClockTheBurstPassesAndTheRestIsRefused() {
        LocalRateLimitStore s = store(1000, MicroClock.SYSTEM, NO_PERIODIC_SWEEP);
        List<Bucket> b = List.of(bucket("{c1}:p:c1", new Rate(5, Duration.ofHours(1), 5)));
        assertThat(admitted(s, b, 8)).isEqualTo(5);
        Verdict v = s.acquireNow(b);
        assertThat(v.allowed()).isFalse();
        assertThat(v.nowMicros()).isCloseTo(System.currentTimeMillis() * 1000, within(5_000_000L));
        // one request costs 12 minutes; the last was admitted moments ago
        assertThat(v.states().get(0).retryAfterMicros()).isBetween(Duration.ofMinutes(11).toNanos() / 1000,
                Duration.ofMinutes(12).toNanos() / 1000);
    }

    @Test
    void withTheRealClockABucketRefillsAfterOneInterval() throws InterruptedException {
        LocalRateLimitStore s = store(1000, MicroClock.SYSTEM, NO_PERIODIC_SWEEP);
        List<Bucket> b = List.of(bucket("{c1}:p:c1", new Rate(20, Duration.ofSeconds(1), 1))); // one per 50 ms
        assertThat(s.acquireNow(b).allowed()).isTrue();
        assertThat(s.acquireNow(b).allowed()).isFalse();
        Thread.sleep(60); // the point of this test is the real clock: one 50 ms interval passes (the others inject a clock)
        assertThat(s.acquireNow(b).allowed()).isTrue();
    }

    @Test
    void afterOneIntervalExactlyOneMoreIsAdmitted() {
        LocalRateLimitStore s = fakeStore();
        List<Bucket> b = List.of(bucket("{c1}:p:c1", TEN_PER_SECOND));
        assertThat(admitted(s, b, 10)).isEqualTo(10);
        advanceMillis(99);
        assertThat(s.acquireNow(b).allowed()).isFalse();
        advanceMillis(1);
        assertThat(admitted(s, b, 5)).isEqualTo(1);
        advanceMillis(250);
        assertThat(admitted(s, b, 5)).isEqualTo(2);
    }

    @Test
    void aFullWindowResetsTheBucket() {
        LocalRateLimitStore s = fakeStore();
        List<Bucket> b = List.of(bucket("{c1}:p:c1", TEN_PER_SECOND));
        assertThat(admitted(s, b, 20)).isEqualTo(10);
        advanceMillis(1000);
        assertThat(admitted(s, b, 20)).isEqualTo(10);
        advanceMillis(60_000); // idle for longer than a window banks nothing beyond the burst
        assertThat(admitted(s, b, 20)).isEqualTo(10);
    }

    @Test
    void aBurstBelowTheLimitCapsRequestsAtOnceButNotTheRate() {
        LocalRateLimitStore s = fakeStore();
        List<Bucket> b = List.of(bucket("{c1}:p:c1", new Rate(10, Duration.ofSeconds(1), 3)));
        assertThat(admitted(s, b, 10)).isEqualTo(3);
        advanceMillis(1000);
        assertThat(admitted(s, b, 10)).isEqualTo(3); // a whole window later still only the burst at once
        int spread = 0;
        for (int i = 0; i < 10; i++) { // one every interval: the full limit over a window
            advanceMillis(100);
            spread += admitted(s, b, 1);
        }
        assertThat(spread).isEqualTo(10);
    }

    @Test
    void remainingResetAndRetryAfterAreExact() {
        LocalRateLimitStore s = fakeStore();
        List<Bucket> b = List.of(bucket("{c1}:p:c1", TEN_PER_SECOND));
        Verdict first = s.acquireNow(b);
        assertThat(first.nowMicros()).isEqualTo(T0);
        assertThat(first.states()).containsExactly(new BucketState(true, 9, 100_000, 0));
        admitted(s, b, 8);
        assertThat(s.acquireNow(b).states()).containsExactly(new BucketState(true, 0, 1_000_000, 0));
        assertThat(s.acquireNow(b).states()).containsExactly(new BucketState(false, 0, 1_000_000, 100_000));
        advanceMillis(30);
        assertThat(s.acquireNow(b).states()).containsExactly(new BucketState(false, 0, 970_000, 70_000));
        advanceMillis(270); // 3 intervals after the last charge: room for 3, and this takes one
        assertThat(s.acquireNow(b).states()).containsExactly(new BucketState(true, 2, 800_000, 0));
    }

    @Test
    void aRefusalByTheSecondBucketLeavesTheFirstUncharged() {
        LocalRateLimitStore s = fakeStore();
        Bucket wide = bucket("{c1}:wide:c1", new Rate(100, Duration.ofSeconds(1), 100)); // 10 ms each
        Bucket narrow = bucket("{c1}:narrow:c1", new Rate(1, Duration.ofSeconds(1), 1));
        Verdict ok = s.acquireNow(List.of(wide, narrow));
        assertThat(ok.allowed()).isTrue();
        assertThat(ok.states()).containsExactly(new BucketState(true, 99, 10_000, 0),
                new BucketState(true, 0, 1_000_000, 0));

        for (int i = 0; i < 5; i++) {
            Verdict no = s.acquireNow(List.of(wide, narrow));
            assertThat(no.allowed()).isFalse();
            assertThat(no.states()).containsExactly(new BucketState(true, 99, 10_000, 0),
                    new BucketState(false, 0, 1_000_000, 1_000_000));
        }
        // the wide bucket holds one charge only: the refusals were given back
        assertThat(s.acquireNow(List.of(wide)).states()).containsExactly(new BucketState(true, 98, 20_000, 0));
    }

    @Test
    void aRefusalReportsBucketsAfterItUntouched() {
        LocalRateLimitStore s = fakeStore();
        Bucket first = bucket("{c1}:a:c1", TEN_PER_SECOND);
        Bucket tight = bucket("{c1}:b:c1", new Rate(1, Duration.ofSeconds(1), 1));
        Bucket third = bucket("{c1}:c:c1", TEN_PER_SECOND);
        assertThat(s.acquireNow(List.of(tight)).allowed()).isTrue();
        assertThat(s.acquireNow(List.of(third)).allowed()).isTrue();

        Verdict no = s.acquireNow(List.of(first, tight, third));
        assertThat(no.allowed()).isFalse();
        assertThat(no.states()).containsExactly(new BucketState(true, 10, 0, 0),
                new BucketState(false, 0, 1_000_000, 1_000_000), new BucketState(true, 9, 100_000, 0));
        assertThat(s.acquireNow(List.of(third)).states().get(0).remaining()).isEqualTo(8);

        Verdict firstRefuses = s.acquireNow(List.of(tight, first, third));
        assertThat(firstRefuses.states()).containsExactly(new BucketState(false, 0, 1_000_000, 1_000_000),
                new BucketState(true, 10, 0, 0), new BucketState(true, 8, 200_000, 0));
        assertThat(s.size()).isEqualTo(3);
    }

    @Test
    void severalBucketsAdmitWhileAllHaveRoom() {
        LocalRateLimitStore s = fakeStore();
        List<Bucket> b = List.of(bucket("{c1}:burst:c1", new Rate(50, Duration.ofSeconds(1), 5)),
                bucket("{c1}:quota:c1", new Rate(8, Duration.ofDays(1), 8)));
        assertThat(admitted(s, b, 20)).isEqualTo(5); // the burst answers first
        advanceMillis(1000);
        assertThat(admitted(s, b, 20)).isEqualTo(3); // then the daily quota: 8 in all
        advanceMillis(60_000);
        assertThat(admitted(s, b, 20)).isZero();
    }

    @Test
    void eightThreadsOnOneBucketWithAFrozenClockAdmitExactlyTheBurst() throws Exception {
        LocalRateLimitStore s = fakeStore();
        List<Bucket> b = List.of(bucket("{c1}:p:c1", new Rate(1000, Duration.ofSeconds(1), 1000)));
        assertThat(hammer(s, b, 8, 5_000)).isEqualTo(1000);
    }

    @Test
    void concurrentRefundsAreExact() throws Exception {
        LocalRateLimitStore s = fakeStore();
        Rate wide = new Rate(1000, Duration.ofSeconds(1), 1000);
        List<Bucket> b = List.of(bucket("{c1}:wide:c1", wide), bucket("{c1}:narrow:c1", new Rate(300, Duration.ofSeconds(1), 300)));
        assertThat(hammer(s, b, 8, 2_000)).isEqualTo(300);
        // the wide bucket holds exactly the 300 admitted charges: 700 more fit, not one more
        assertThat(admitted(s, List.of(b.get(0)), 1000)).isEqualTo(700);
    }

    @Test
    void sweepsRacingFirstChargesLoseNone() throws Exception {
        LocalRateLimitStore s = store(100_000, fake, NO_PERIODIC_SWEEP);
        Rate three = new Rate(3, Duration.ofSeconds(1), 3);
        List<List<Bucket>> keys = new ArrayList<>();
        for (int k = 0; k < 2_000; k++) keys.add(List.of(bucket("{k" + k + "}:p:k" + k, three)));
        Thread sweeper = Thread.ofPlatform().start(() -> {
            while (!Thread.currentThread().isInterrupted()) s.sweep();
        });
        try {
            int[] counts = new int[4];
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < counts.length; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (List<Bucket> key : keys) {
                        for (int r = 0; r < 2; r++) if (s.acquireNow(key).allowed()) counts[id]++;
                    }
                }));
            }
            for (Thread t : threads) t.join();
            assertThat(counts[0] + counts[1] + counts[2] + counts[3]).isEqualTo(3 * keys.size());
        } finally {
            sweeper.interrupt();
            sweeper.join();
        }
    }

    private static int hammer(LocalRateLimitStore s, List<Bucket> buckets, int threads, int perThread)
            throws Exception {
        List<CompletableFuture<Integer>> done = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            done.add(f);
            Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    f.complete(admitted(s, buckets, perThread));
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            });
        }
        start.countDown();
        int total = 0;
        for (CompletableFuture<Integer> f : done) total += f.get();
        return total;
    }

    @Test
    void tenTimesMaxBucketsKeysStayBoundedAndShareOneOverflowBucket() {
        LocalRateLimitStore s = store(100, fake, NO_PERIODIC_SWEEP);
        Rate five = new Rate(5, Duration.ofMinutes(1), 5);
        int ok = 0;
        for (int k = 0; k < 1000; k++) {
            if (s.acquireNow(List.of(bucket("p", "{k" + k + "}:p:k" + k, five))).allowed()) ok++;
            assertThat(s.size()).isLessThanOrEqualTo(100 + 1);
        }
        assertThat(ok).isEqualTo(100 + 5); // the first 100 keys alone, the other 900 together
        assertThat(s.size()).isEqualTo(101);
        assertThat(s.overflowed()).isEqualTo(900);
        // another policy gets its own overflow bucket
        assertThat(s.acquireNow(List.of(bucket("q", "{x}:q:x", five))).allowed()).isTrue();
        assertThat(s.size()).isEqualTo(102);
        // keys that got a bucket keep it
        assertThat(s.acquireNow(List.of(bucket("p", "{k0}:p:k0", five))).states().get(0).remaining()).isEqualTo(3);
    }

    @Test
    void concurrentInsertsNeverExceedTheBound() throws Exception {
        LocalRateLimitStore s = store(500, fake, NO_PERIODIC_SWEEP);
        Rate rate = new Rate(5, Duration.ofMinutes(1), 5);
        AtomicLong maxSeen = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int k = 0; k < 1250; k++) {
                    s.acquireNow(List.of(bucket("p", "{t" + id + "k" + k + "}:p", rate)));
                    maxSeen.accumulateAndGet(s.size(), Math::max);
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertThat(maxSeen.get()).isLessThanOrEqualTo(501);
        assertThat(s.size()).isEqualTo(501);
        assertThat(s.overflowed()).isEqualTo(5000 - 500);
    }

    @Test
    void sweepRemovesOnlyExpiredEntries() {
        LocalRateLimitStore s = fakeStore();
        Rate perSecond = new Rate(1, Duration.ofSeconds(1), 1);
        for (int k = 0; k < 30; k++) s.acquireNow(List.of(bucket("{a" + k + "}:p", perSecond)));
        advanceMillis(500);
        for (int k = 0; k < 20; k++) s.acquireNow(List.of(bucket("{b" + k + "}:p", perSecond)));
        assertThat(s.sweep()).isZero();
        assertThat(s.size()).isEqualTo(50);
        advanceMillis(500); // the a-keys are full again (TAT == now), the b-keys not yet
        assertThat(s.sweep()).isEqualTo(30);
        assertThat(s.size()).isEqualTo(20);
        assertThat(s.acquireNow(List.of(bucket("{b0}:p", perSecond))).allowed()).isFalse();
        assertThat(s.acquireNow(List.of(bucket("{a0}:p", perSecond))).allowed()).isTrue(); // swept means full
        advanceMillis(1000);
        assertThat(s.sweep()).isEqualTo(21);
        assertThat(s.size()).isZero();
    }

    @Test
    void aFullMapAsksTheSweeperAndNewKeysGetRoomOnceExpiredOnesAreGone() {
        LocalRateLimitStore s = store(10, fake, NO_PERIODIC_SWEEP);
        Rate perSecond = new Rate(1, Duration.ofSeconds(1), 1);
        for (int k = 0; k < 10; k++) s.acquireNow(List.of(bucket("{a" + k + "}:p", perSecond)));
        advanceMillis(1000);
        // (the sweep it asked for may even beat it to the map, so it either overflowed or got room)
        assertThat(s.acquireNow(List.of(bucket("{new1}:p", perSecond))).allowed()).isTrue();
        assertThat(s.overflowed()).isLessThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> s.size() <= 1); // the expired ten are gone
        long overflowed = s.overflowed();
        assertThat(s.acquireNow(List.of(bucket("{new2}:p", perSecond))).allowed()).isTrue();
        assertThat(s.overflowed()).isEqualTo(overflowed);
        assertThat(s.size()).isEqualTo(2);
    }

    @Test
    void thePeriodicSweepRunsOnItsOwnDaemonThread() {
        LocalRateLimitStore s = store(1000, fake, Duration.ofMillis(20));
        for (int k = 0; k < 10; k++) s.acquireNow(List.of(bucket("{a" + k + "}:p", TEN_PER_SECOND)));
        assertThat(s.size()).isEqualTo(10);
        assertThat(s.sweeperThread().isDaemon()).isTrue();
        advanceMillis(100);
        await().atMost(Duration.ofSeconds(5)).until(() -> s.size() == 0);
    }

    @Test
    void closeStopsTheSweeperThread() throws InterruptedException {
        LocalRateLimitStore s = store(1000, fake, Duration.ofMillis(20));
        Thread sweeper = s.sweeperThread();
        assertThat(sweeper.isAlive()).isTrue();
        s.close();
        sweeper.join(5_000);
        assertThat(sweeper.isAlive()).isFalse();
        // a closed store still answers; a full map just cannot ask for a sweep any more
        assertThat(s.acquireNow(List.of(bucket("{a}:p", TEN_PER_SECOND))).allowed()).isTrue();
    }

    @Test
    void acquireIsAcquireNowInACompletedStageAndErrorsBecomeStoreExceptions() {
        LocalRateLimitStore s = fakeStore();
        List<Bucket> b = List.of(bucket("{c1}:p:c1", TEN_PER_SECOND));
        CompletableFuture<Verdict> f = s.acquire(b).toCompletableFuture();
        assertThat(f).isCompleted();
        assertThat(f.join().states()).containsExactly(new BucketState(true, 9, 100_000, 0));
        assertThat(s.acquire(null).toCompletableFuture())
                .failsWithin(Duration.ZERO)
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(RateLimitStoreException.class);
    }
}
