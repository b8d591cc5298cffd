package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The listener-wide budget of cancelled streams: shared by connections, per window. */
class StreamCancelBudgetTest {

    @Test
    void connectionsShareTheBudgetAndTheOneOverItGetsGoAway() {
        StreamCancelBudget budget = new StreamCancelBudget(3, TimeUnit.HOURS.toNanos(1));
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        budget.cancelled(a);
        budget.cancelled(b);
        budget.cancelled(a);
        assertThat((Object) a.readOutbound()).isNull();
        assertThat((Object) b.readOutbound()).isNull();
        budget.cancelled(b); // the fourth, on another connection than most of the others
        Http2GoAwayFrame goAway = b.readOutbound();
        assertThat(goAway.errorCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        goAway.release();
        assertThat(b.isOpen()).isFalse();
        assertThat(a.isOpen()).isTrue();
        assertThat(budget.withinBudget()).isEqualTo(3);
        assertThat(budget.overBudget()).isEqualTo(1);
        a.finishAndReleaseAll();
    }

    @Test
    void aNewWindowStartsAFreshBudget() {
        StreamCancelBudget budget = new StreamCancelBudget(1, 0); // every cancellation opens a new window
        EmbeddedChannel a = new EmbeddedChannel();
        for (int i = 0; i < 5; i++) budget.cancelled(a);
        assertThat((Object) a.readOutbound()).isNull();
        assertThat(budget.overBudget()).isZero();
        a.finishAndReleaseAll();
    }
}
