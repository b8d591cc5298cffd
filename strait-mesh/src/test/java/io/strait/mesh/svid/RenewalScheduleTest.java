package io.strait.mesh.svid;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.mesh.testing.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Renewal at half-life with a little jitter, on an injected clock. */
class RenewalScheduleTest {
    static final Instant FROM = Instant.parse("2026-12-05T00:00:00Z");

    @Test
    void renewsBetween45And55PercentOfTheLifetime() {
        RenewalSchedule s = new RenewalSchedule(TestPki.clock(FROM), new Random(42));
        Instant to = FROM.plus(Duration.ofHours(24));
        Set<Instant> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            Instant at = s.renewAt(FROM, to);
            assertThat(at).isBetween(FROM.plus(Duration.ofMinutes(24 * 60 * 45 / 100)), FROM.plus(Duration.ofMinutes(24 * 60 * 55 / 100)));
            seen.add(at);
        }
        assertThat(seen).as("jittered, not all the same instant").hasSizeGreaterThan(900);
    }

    @Test
    void aFailedRenewalIsRetriedWithinTheLifeTheSvidHasLeftNeverInABusyLoop() throws Exception {
        var root = TestPki.root(FROM.minus(Duration.ofDays(1)), Duration.ofDays(10));
        var leaf = TestPki.handMadeLeaf(root, WorkloadKey.generate().publicKey(), FROM, FROM.plusSeconds(20),
                "spiffe://cluster.local/ns/shop/sa/orders");
        assertThat(new RenewalSchedule(TestPki.clock(FROM), new Random(1)).retryDelay(leaf)).isEqualTo(Duration.ofSeconds(5));
        assertThat(new RenewalSchedule(TestPki.clock(FROM.plusSeconds(19)), new Random(1)).retryDelay(leaf)).isEqualTo(RenewalSchedule.MIN_RETRY);
        assertThat(new RenewalSchedule(TestPki.clock(FROM.plusSeconds(60)), new Random(1)).retryDelay(leaf)).as("expired")
                .isEqualTo(RenewalSchedule.MIN_RETRY);
        assertThat(RenewalSchedule.retryAfter(Duration.ofHours(12))).isEqualTo(RenewalSchedule.RETRY);
    }

    @Test
    void theDelayFollowsTheClock() {
        Instant to = FROM.plus(Duration.ofHours(2));
        RenewalSchedule atStart = new RenewalSchedule(TestPki.clock(FROM), new Random(1));
        Instant at = atStart.renewAt(FROM, to);
        assertThat(atStart.delayUntil(at)).isEqualTo(Duration.between(FROM, at)).isBetween(Duration.ofMinutes(54), Duration.ofMinutes(66));
        assertThat(new RenewalSchedule(TestPki.clock(at.plusSeconds(1)), new Random(1)).delayUntil(at)).isZero();
    }

    @Test
    void aTenSecondSvidIsRenewedAtHalfTheLifeItHasNotAtOnce() throws Exception {
        // the CA backdates notBefore by a minute: counted from it, a 10 s SVID (70 s from notBefore) would be due on arrival
        java.security.cert.X509Certificate svid = TestPki.ca(TestPki.root(FROM, Duration.ofDays(1)), Duration.ofSeconds(10), TestPki.clock(FROM))
                .sign(WorkloadKey.generate().csrDer(new io.strait.mesh.identity.SpiffeId("cluster.local", "default", "orders")),
                        new io.strait.mesh.identity.SpiffeId("cluster.local", "default", "orders")).chain().get(0);
        assertThat(svid.getNotBefore().toInstant()).isBefore(FROM);
        RenewalSchedule s = new RenewalSchedule(TestPki.clock(FROM), new Random(7));
        for (int i = 0; i < 100; i++) {
            assertThat(s.delayUntil(s.renewAt(svid))).isBetween(Duration.ofMillis(4500), Duration.ofMillis(5500));
        }
        // scheduled later (a renewal that is retried), it is half of what is left, still never negative
        RenewalSchedule later = new RenewalSchedule(TestPki.clock(FROM.plusSeconds(8)), new Random(7));
        assertThat(later.delayUntil(later.renewAt(svid))).isBetween(Duration.ofMillis(900), Duration.ofMillis(1100));
    }

    @Test
    void aZeroLifetimeRenewsAtOnce() {
        RenewalSchedule s = new RenewalSchedule(TestPki.clock(FROM), new Random(1));
        assertThat(s.renewAt(FROM, FROM)).isEqualTo(FROM);
        assertThat(s.renewAt(FROM, FROM.minusSeconds(5))).isEqualTo(FROM);
    }

    @Test
    void theWorkloadKeyNeverShowsItself() {
        WorkloadKey k = WorkloadKey.generate();
        assertThat(k.toString()).doesNotContain(java.util.Base64.getEncoder().encodeToString(k.privateKey().getEncoded()).substring(0, 20))
                .contains("not shown");
        assertThat(k.csrPem(new io.strait.mesh.identity.SpiffeId("td", "n", "a"))).startsWith("-----BEGIN CERTIFICATE REQUEST-----")
                .doesNotContain("PRIVATE");
    }
}
