package io.strait.gateway.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.RedisServer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shared connection against a real redis-server: connects lazily, fails fast, never shows a password. */
class RedisConnectorTest {
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @Test
    void connectsOnFirstUseAndSharesOneConnection() throws Exception {
        try (RedisServer redis = RedisServer.start();
                RedisConnector c = new RedisConnector(redis.uri(), false, TIMEOUT, "test")) {
            assertThat(c.where()).isEqualTo("Redis at 127.0.0.1:" + redis.port());
            RedisConnector.Connection conn = c.connection().get(5, TimeUnit.SECONDS);
            assertThat(conn.async().set("k", "v").get(5, TimeUnit.SECONDS)).isEqualTo("OK");
            assertThat(conn.sync().get("k")).isEqualTo("v");
            assertThat(c.connection().get(5, TimeUnit.SECONDS)).isSameAs(conn);
        }
    }

    @Test
    void anUnreachableRedisFailsAndIsRetriedOnlyAfterTheBackoff() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (RedisConnector c = new RedisConnector("redis://:s3cr3t@127.0.0.1:" + port, false, TIMEOUT, "test")) {
            assertThat(c.where()).isEqualTo("Redis at 127.0.0.1:" + port).doesNotContain("s3cr3t");
            var first = c.connection();
            assertThat(first).failsWithin(Duration.ofSeconds(5));
            // within the backoff the same failed attempt answers: no connect storm while Redis is away
            assertThat(c.connection()).isSameAs(first);
            await().atMost(RedisConnector.RECONNECT_BACKOFF.plusSeconds(2)).until(() -> c.connection() != first);
        }
    }

    @Test
    void aMalformedUriIsRejectedWithoutRepeatingIt() {
        for (String bad : new String[] {"redis://:pw@host:notaport", "http://:pw@host:6379", "pw-only"}) {
            assertThatThrownBy(() -> new RedisConnector(bad, false, TIMEOUT, "test"))
                    .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("pw");
        }
        try (RedisConnector c = new RedisConnector("redis://127.0.0.1:7000/2", true, TIMEOUT, "t")) {
            assertThat(c.where()).isEqualTo("Redis Cluster at 127.0.0.1:7000/2");
        }
    }
}
