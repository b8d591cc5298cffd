package io.strait.gateway.redis;

import static io.strait.gateway.redis.RedisBreaker.State.CLOSED;
import static io.strait.gateway.redis.RedisBreaker.State.HALF_OPEN;
import static io.strait.gateway.redis.RedisBreaker.State.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The breaker's state machine on a hand-driven clock. */
class RedisBreakerTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final RedisBreaker breaker = new RedisBreaker(3, Duration.ofSeconds(1), nanos::get);

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            assertThat(breaker.tryAcquire()).isTrue();
            breaker.onFailure();
        }
    }

    @Test
    void opensAfterThreeFailuresInARowOnly() {
        fail(2);
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.onSuccess(); // a success in between resets the count
        fail(2);
        assertThat(breaker.state()).isEqualTo(CLOSED);
        fail(1);
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(breaker.opens()).isEqualTo(1);
        assertThat(breaker.calls()).isEqualTo(6);
        assertThat(breaker.failures()).isEqualTo(5);
    }

    @Test
    void whileOpenEveryCallIsRefusedUntilTheCoolDownThenOneProbeGoes() {
        fail(3);
        nanos.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(breaker.rejected()).isEqualTo(2);
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(breaker.tryAcquire()).isTrue(); // the probe
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        assertThat(breaker.tryAcquire()).isFalse(); // one probe at a time
        breaker.onSuccess();
        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.calls()).isEqualTo(5);
        assertThat(breaker.rejected()).isEqualTo(3);
    }

    @Test
    void aFailedProbeOpensItForAnotherCoolDown() {
        fail(3);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.onFailure();
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(breaker.opens()).isEqualTo(2);
        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(breaker.tryAcquire()).isFalse();
        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(breaker.tryAcquire()).isTrue();
    }

    @Test
    void lateOutcomesOfCallsStartedBeforeItOpenedChangeNothing() {
        for (int i = 0; i < 4; i++) assertThat(breaker.tryAcquire()).isTrue();
        for (int i = 0; i < 3; i++) breaker.onFailure();
        assertThat(breaker.state()).isEqualTo(OPEN);
        breaker.onSuccess(); // the fourth call, answered late
        breaker.onFailure();
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(breaker.opens()).isEqualTo(1);
        assertThat(breaker.tryAcquire()).isFalse();
    }

    @Test
    void aProbeThatNeverReportsDoesNotWedgeIt() {
        fail(3);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(breaker.tryAcquire()).isTrue(); // lost probe
        nanos.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(breaker.tryAcquire()).isFalse();
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(breaker.tryAcquire()).isTrue();
    }

    @Test
    void concurrentCallersAfterTheCoolDownLetExactlyOneProbeThrough() throws Exception {
        fail(3);
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger admitted = new AtomicInteger();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < 1000; j++) if (breaker.tryAcquire()) admitted.incrementAndGet();
            }));
        }
        go.countDown();
        for (Thread t : ts) t.join();
        assertThat(admitted).hasValue(1);
        assertThat(breaker.rejected()).isEqualTo(threads * 1000L - 1);
    }
}
