package io.strait.mesh.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.store.ControlPlaneStore;
import io.strait.mesh.store.FileStore;
import io.strait.mesh.store.MemoryStore;
import io.strait.mesh.token.TokenRefusedException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Join tokens: shown once, stored hashed, redeemed atomically; refusals alike to the caller, distinct in the log. */
class JoinTokensTest {
    static final SpiffeId ORDERS = new SpiffeId("cluster.local", "shop", "orders");
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @TempDir
    Path dir;

    @BeforeEach
    void captureLog() {
        log.start();
        ((Logger) LoggerFactory.getLogger(JoinTokens.class)).addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        ((Logger) LoggerFactory.getLogger(JoinTokens.class)).detachAppender(log);
    }

    private JoinTokens tokens(ControlPlaneStore store) {
        return new JoinTokens(store, "cluster.local", clock, new SecureRandom());
    }

    private static Reason refusal(JoinTokens t, String token) {
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> t.redeem(token).join());
        assertThat(e).isInstanceOf(CompletionException.class);
        assertThat(e.getCause()).isInstanceOf(TokenRefusedException.class).hasMessage("join token refused");
        return ((TokenRefusedException) e.getCause()).reason();
    }

    @Test
    void aSingleUseTokenGrantsItsAccountOnceAndIsStoredOnlyAsAHash() throws Exception {
        try (FileStore store = FileStore.open(dir)) {
            JoinTokens t = tokens(store);
            IssuedToken issued = t.create("shop", "orders", Duration.ofHours(1), JoinTokens.DEFAULT_MAX_USES).join();
            assertThat(issued.token()).matches("sjt_[A-Za-z0-9_-]{43}");
            assertThat(issued.toString()).doesNotContain(issued.token()).contains("<redacted>");
            assertThat(issued.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
            // nothing on disk holds the token; the hash is there
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).doesNotContain(issued.token().substring(4));
                }
            }
            assertThat(t.list().join()).singleElement().satisfies(s -> assertThat(s.id()).isEqualTo(issued.id()));

            assertThat(t.redeem(issued.token()).join()).isEqualTo(ORDERS);
            assertThat(refusal(t, issued.token())).isEqualTo(Reason.USED_UP);
        }
        assertThat(logText()).doesNotContain("sjt_").contains("refused: used up");
    }

    @Test
    void wrongMalformedAndExpiredTokensAreRefusedAlikeButLoggedApart() {
        JoinTokens t = tokens(new MemoryStore());
        IssuedToken issued = t.create("shop", "orders", Duration.ofMinutes(10), 1).join();
        String wrong = "sjt_" + "A".repeat(43);
        assertThat(refusal(t, wrong)).isEqualTo(Reason.UNKNOWN);
        assertThat(refusal(t, "not-a-token")).isEqualTo(Reason.MALFORMED);
        assertThat(refusal(t, null)).isEqualTo(Reason.MALFORMED);
        assertThat(refusal(t, issued.token() + "x")).isEqualTo(Reason.MALFORMED);
        clock.advance(Duration.ofMinutes(10));
        assertThat(refusal(t, issued.token())).isEqualTo(Reason.EXPIRED);
        assertThat(logText()).contains("refused: unknown", "refused: malformed", "refused: expired").doesNotContain(issued.token(), wrong);
        // an expired token is purged, and then it is unknown
        assertThat(t.purgeExpired().join()).isEqualTo(1);
        assertThat(refusal(t, issued.token())).isEqualTo(Reason.UNKNOWN);
    }

    @Test
    void aBoundedUseTokenGrantsExactlyItsUses() {
        JoinTokens t = tokens(new MemoryStore());
        IssuedToken issued = t.create("shop", "orders", Duration.ofHours(1), 3).join();
        for (int i = 0; i < 3; i++) assertThat(t.redeem(issued.token()).join()).isEqualTo(ORDERS);
        assertThat(refusal(t, issued.token())).isEqualTo(Reason.USED_UP);
        assertThat(t.list().join()).singleElement().satisfies(s -> assertThat(s.uses()).isEqualTo(3));
    }

    @Test
    void requestsOutOfBoundsAreRefused() {
        JoinTokens t = tokens(new MemoryStore());
        assertThatThrownBy(() -> t.create("shop", "orders", Duration.ofSeconds(30), 1).join()).hasMessageContaining("between 1m and 30d");
        assertThatThrownBy(() -> t.create("shop", "orders", Duration.ofDays(31), 1).join()).hasMessageContaining("between 1m and 30d");
        assertThatThrownBy(() -> t.create("shop", "orders", Duration.ofHours(1), 0).join()).hasMessageContaining("between 1 and 1000");
        assertThatThrownBy(() -> t.create("shop", "orders", Duration.ofHours(1), 1001).join()).hasMessageContaining("between 1 and 1000");
        assertThatThrownBy(() -> t.create("..", "orders", Duration.ofHours(1), 1).join()).hasMessageContaining("namespace");
        assertThatThrownBy(() -> t.create("shop", "a/b", Duration.ofHours(1), 1).join()).hasMessageContaining("account");
    }

    @Test
    void concurrentRedemptionsOfASingleUseTokenHaveExactlyOneWinner() throws Exception {
        try (FileStore files = FileStore.open(dir)) {
            for (ControlPlaneStore store : List.of(new MemoryStore(), files)) {
                JoinTokens t = tokens(store);
                IssuedToken issued = t.create("shop", "orders", Duration.ofHours(1), 1).join();
                int n = 12;
                ExecutorService pool = Executors.newFixedThreadPool(n);
                try {
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<Boolean>> results = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        results.add(pool.submit(() -> {
                            go.await();
                            try {
                                t.redeem(issued.token()).join();
                                return true;
                            } catch (CompletionException e) {
                                assertThat(((TokenRefusedException) e.getCause()).reason()).isEqualTo(Reason.USED_UP);
                                return false;
                            }
                        }));
                    }
                    go.countDown();
                    int wins = 0;
                    for (Future<Boolean> f : results) wins += f.get() ? 1 : 0;
                    assertThat(wins).as(store.describe()).isEqualTo(1);
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }

    private String logText() {
        return String.join("\n", log.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
