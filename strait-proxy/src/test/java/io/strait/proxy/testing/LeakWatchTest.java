package io.strait.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** {@link LeakWatch} sees a buffer dropped unreleased (so the tests that assert no leaks can fail). */
class LeakWatchTest {
    @Test
    void aBufferCollectedUnreleasedIsReported() {
        try (LeakWatch watch = new LeakWatch()) {
            leak();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(watch.leaks()).isNotEmpty());
        }
    }

    private static void leak() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeInt(1);
        // dropped without release()
    }
}
