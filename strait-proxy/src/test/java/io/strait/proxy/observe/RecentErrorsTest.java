package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The recent-errors ring: bounded, newest first, counts every error ever added. */
class RecentErrorsTest {
    @Test
    void keepsTheLastHundredNewestFirst() {
        RecentErrors ring = new RecentErrors();
        for (int i = 0; i < 150; i++) {
            ring.add(new RecentErrors.Entry(i, "GET", "/p/" + i, 503, "r", "c", null, null, 1.0, null, null));
        }
        assertThat(ring.total()).isEqualTo(150);
        assertThat(ring.newestFirst()).hasSize(RecentErrors.CAPACITY);
        assertThat(ring.newestFirst().getFirst().path()).isEqualTo("/p/149");
        assertThat(ring.newestFirst().getLast().path()).isEqualTo("/p/50");
    }

    @Test
    void emptyAtFirst() {
        assertThat(new RecentErrors().newestFirst()).isEmpty();
    }
}
