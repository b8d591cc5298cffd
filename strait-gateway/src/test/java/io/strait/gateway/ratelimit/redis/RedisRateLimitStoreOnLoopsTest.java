package io.strait.gateway.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.strait.gateway.ratelimit.Verdict;
import io.strait.proxy.testing.RedisServer;
import io.strait.proxy.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The store on the proxy's event loops (as the gateway runs it): Lettuce's I/O on those loops, commands
 * flushed once per loop turn. Requests charged from the loops get exact answers, and none waits for a
 * flush that never comes.
 */
class RedisRateLimitStoreOnLoopsTest {
    @Test
    void acquiresFromTheLoopsAreFlushedAndExact() throws Exception {
        Transport t = Transport.detect();
        EventLoopGroup loops = t.newGroup(2, "test-loop");
        try (RedisServer redis = RedisServer.start();
                RedisRateLimitStore store = new RedisRateLimitStore(
                        RedisRateLimitStoreTest.config(redis.uri(), false, "loops:", Duration.ofSeconds(2)), loops)) {
            assertThat(store.awaitReady(Duration.ofSeconds(10))).isTrue();
            List<io.netty.util.concurrent.Future<List<CompletableFuture<Verdict>>>> turns = new ArrayList<>();
            for (int round = 0; round < 20; round++) {
                for (io.netty.util.concurrent.EventExecutor loop : loops) {
                    turns.add(loop.submit(() -> {
                        // several charges in one loop turn: one flush sends them all
                        List<CompletableFuture<Verdict>> mine = new ArrayList<>();
                        for (int i = 0; i < 5; i++) {
                            mine.add(store.acquire(List.of(RedisRateLimitStoreTest.bucket("p", "c",
                                    RedisRateLimitStoreTest.perHour(150)))).toCompletableFuture());
                        }
                        return mine;
                    }));
                }
            }
            List<CompletableFuture<Verdict>> all = new ArrayList<>();
            for (var turn : turns) all.addAll(turn.get(10, TimeUnit.SECONDS));
            long allowed = 0;
            for (CompletableFuture<Verdict> f : all) {
                if (f.get(10, TimeUnit.SECONDS).allowed()) allowed++;
            }
            assertThat(allowed).isEqualTo(150); // of 200
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
