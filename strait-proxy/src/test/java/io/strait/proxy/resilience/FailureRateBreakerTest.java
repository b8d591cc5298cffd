package io.strait.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.CircuitBreakerConfig.FailureRate;
import io.strait.proxy.resilience.FailureRateBreaker.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FailureRateBreakerTest {
    private final FakeClock clock = new FakeClock();
    private final List<String> moves = new ArrayList<>();

    /** 50% over 10 s, at least 10 calls, open 30 s, 3 trial calls. */
    private FailureRateBreaker breaker() {
        return breaker(new FailureRate(50, 10, Duration.ofSeconds(10), Duration.ofSeconds(30), 3));
    }

    private FailureRateBreaker breaker(FailureRate rate) {
        return new FailureRateBreaker(rate, (from, to) -> moves.add(from + "->" + to), clock);
    }

    private static void call(FailureRateBreaker b, AttemptResult r) {
        assertThat(b.tryAcquire()).isTrue();
        b.onResult(r);
    }

    private FailureRateBreaker opened() {
        FailureRateBreaker b = breaker();
        for (int i = 0; i < 10; i++) call(b, AttemptResult.SERVER_ERROR);
        assertThat(b.state()).isEqualTo(State.OPEN);
        return b;
    }

    @Test
    void doesNotOpenBeforeMinimumCallsEvenIfAllFail() {
        FailureRateBreaker b = breaker();
        for (int i = 0; i < 9; i++) call(b, AttemptResult.GATEWAY_ERROR);
        assertThat(b.state()).isEqualTo(State.CLOSED);
        assertThat(b.calls()).isEqualTo(9);
        assertThat(b.failures()).isEqualTo(9);
        call(b, AttemptResult.TIMEOUT);
        assertThat(b.state()).isEqualTo(State.OPEN);
        assertThat(moves).containsExactly("CLOSED->OPEN");
        assertThat(b.transitions(State.CLOSED, State.OPEN)).isEqualTo(1);
    }

    @Test
    void opensExactlyAtTheThresholdPercent() {
        FailureRateBreaker b = breaker();
        // 6 successes and 4 failures: 40% < 50%
        for (int i = 0; i < 6; i++) call(b, AttemptResult.OK);
        for (int i = 0; i < 4; i++) call(b, AttemptResult.RESET);
        assertThat(b.state()).isEqualTo(State.CLOSED);
        assertThat(b.failureRatePercent()).isEqualTo(40.0);
        // 6 of 11 = 54.5%: the 5th failure (5 of 11 = 45%) is not enough, the 6th is
        call(b, AttemptResult.CONNECT_FAILURE);
        assertThat(b.state()).isEqualTo(State.CLOSED);
        call(b, AttemptResult.OK); // 5 of 12
        call(b, AttemptResult.SERVER_ERROR); // 6 of 13 = 46%
        assertThat(b.state()).isEqualTo(State.CLOSED);
        call(b, AttemptResult.SERVER_ERROR); // 7 of 14 = exactly 50%
        assertThat(b.state()).isEqualTo(State.OPEN);
    }

    @Test
    void aSuccessReachingMinimumCallsOpensWhenTheRateIsHigh() {
        FailureRateBreaker b = breaker();
        for (int i = 0; i < 9; i++) call(b, AttemptResult.SERVER_ERROR);
        call(b, AttemptResult.OK); // 9 of 10 failed
        assertThat(b.state()).isEqualTo(State.OPEN);
    }

    @Test
    void cancelledCallsCountNeitherWay() {
        FailureRateBreaker b = breaker();
        for (int i = 0; i < 50; i++) call(b, AttemptResult.CANCELLED);
        assertThat(b.calls()).isZero();
        assertThat(b.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void refusesWhileOpenThenHalfOpenAdmitsExactlyN() {
        FailureRateBreaker b = opened();
        assertThat(b.tryAcquire()).isFalse();
        clock.advance(Duration.ofSeconds(29));
        assertThat(b.tryAcquire()).isFalse();
        assertThat(b.state()).isEqualTo(State.OPEN);
        clock.advance(Duration.ofSeconds(1));
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.state()).isEqualTo(State.HALF_OPEN);
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isFalse();
        assertThat(b.tryAcquire()).isFalse();
    }

    @Test
    void closesAfterNSuccessesWithAnEmptyWindow() {
        FailureRateBreaker b = opened();
        clock.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 3; i++) assertThat(b.tryAcquire()).isTrue();
        b.onResult(AttemptResult.OK);
        b.onResult(AttemptResult.OK);
        assertThat(b.state()).isEqualTo(State.HALF_OPEN);
        b.onResult(AttemptResult.OK);
        assertThat(b.state()).isEqualTo(State.CLOSED);
        assertThat(b.calls()).isZero();
        assertThat(moves).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
        // the old failures are forgotten: 9 failures do not open it again
        for (int i = 0; i < 9; i++) call(b, AttemptResult.SERVER_ERROR);
        assertThat(b.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void firstFailureInHalfOpenReopensForAnotherOpenFor() {
        FailureRateBreaker b = opened();
        clock.advance(Duration.ofSeconds(30));
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isTrue();
        b.onResult(AttemptResult.OK);
        b.onResult(AttemptResult.GATEWAY_ERROR);
        assertThat(b.state()).isEqualTo(State.OPEN);
        assertThat(b.tryAcquire()).isFalse();
        clock.advance(Duration.ofSeconds(29));
        assertThat(b.tryAcquire()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.transitions(State.HALF_OPEN, State.OPEN)).isEqualTo(1);
        assertThat(b.transitions(State.OPEN, State.HALF_OPEN)).isEqualTo(2);
    }

    @Test
    void aCancelledTrialCallGivesItsPermitBack() {
        FailureRateBreaker b = opened();
        clock.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 3; i++) assertThat(b.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isFalse();
        b.onResult(AttemptResult.CANCELLED);
        assertThat(b.state()).isEqualTo(State.HALF_OPEN);
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isFalse();
    }

    @Test
    void oldFailuresSlideOutOfTheWindow() {
        FailureRateBreaker b = breaker();
        for (int i = 0; i < 9; i++) call(b, AttemptResult.SERVER_ERROR);
        clock.advance(Duration.ofSeconds(5));
        assertThat(b.failures()).isEqualTo(9);
        clock.advance(Duration.ofSeconds(5)); // 10 s later the first second's bucket has left the window
        assertThat(b.calls()).isZero();
        // so 9 successes and one failure is 10% rather than 100%
        for (int i = 0; i < 9; i++) call(b, AttemptResult.OK);
        call(b, AttemptResult.SERVER_ERROR);
        assertThat(b.state()).isEqualTo(State.CLOSED);
        assertThat(b.calls()).isEqualTo(10);
        assertThat(b.failures()).isEqualTo(1);
    }

    @Test
    void windowKeepsTheLastSecondsOnly() {
        FailureRateBreaker b = breaker(new FailureRate(50, 1000, Duration.ofSeconds(3), Duration.ofSeconds(30), 3));
        for (int s = 0; s < 6; s++) {
            for (int i = 0; i <= s; i++) call(b, AttemptResult.OK); // s+1 calls in second s
            clock.advance(Duration.ofSeconds(1));
        }
        // now is second 6: the 3 s window holds seconds 4, 5 and 6
        assertThat(b.calls()).isEqualTo(5 + 6);
        clock.advance(Duration.ofMillis(999));
        assertThat(b.calls()).isEqualTo(5 + 6);
        clock.advance(Duration.ofMillis(1));
        assertThat(b.calls()).isEqualTo(6);
    }

    @Test
    void concurrentCallsAreCountedExactly() throws Exception {
        // never opens (minimumCalls above the total), so every call is recorded
        FailureRateBreaker b = breaker(new FailureRate(1, Integer.MAX_VALUE, Duration.ofSeconds(10), Duration.ofSeconds(30), 3));
        int threads = 4;
        int perThread = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        if (b.tryAcquire()) b.onResult(i % 4 == 0 ? AttemptResult.RESET : AttemptResult.OK);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(b.calls()).isEqualTo((long) threads * perThread);
        assertThat(b.failures()).isEqualTo((long) threads * perThread / 4);
        assertThat(b.failureRatePercent()).isEqualTo(25.0);
    }

    @Test
    void concurrentHalfOpenAdmitsExactlyNAcrossThreads() throws Exception {
        FailureRateBreaker b = opened();
        clock.advance(Duration.ofSeconds(30));
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    int admitted = 0;
                    for (int i = 0; i < 1000; i++) if (b.tryAcquire()) admitted++;
                    return admitted;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : futures) total += f.get();
            assertThat(total).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }
}
