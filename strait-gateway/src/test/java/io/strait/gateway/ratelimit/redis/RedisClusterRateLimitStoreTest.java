package io.strait.gateway.ratelimit.redis;

import static io.strait.gateway.ratelimit.redis.RedisRateLimitStoreTest.acquire;
import static io.strait.gateway.ratelimit.redis.RedisRateLimitStoreTest.bucket;
import static io.strait.gateway.ratelimit.redis.RedisRateLimitStoreTest.config;
import static io.strait.gateway.ratelimit.redis.RedisRateLimitStoreTest.hammer;
import static io.strait.gateway.ratelimit.redis.RedisRateLimitStoreTest.perHour;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.SlotHash;
import io.strait.gateway.ratelimit.Bucket;
import io.strait.gateway.ratelimit.BucketState;
import io.strait.gateway.ratelimit.Verdict;
import io.strait.gateway.redis.RedisClusterNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The redis store on a real three-master Redis Cluster: exact counts, and buckets on different nodes. */
class RedisClusterRateLimitStoreTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** redis-cli gives three masters equal slot ranges: the first ends here, the third starts after 10922. */
    private static final int FIRST_NODE_LAST_SLOT = 5460;
    private static final int THIRD_NODE_FIRST_SLOT = 10923;
    private static RedisClusterNodes cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisClusterNodes.start(3);
        try (RedisRateLimitStore s = store("warmup:")) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> s.acquire(List.of(bucket("p", "c", perHour(1)))).toCompletableFuture().join() != null);
        }
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    private static RedisRateLimitStore store(String prefix) {
        return new RedisRateLimitStore(config(cluster.uri(), true, prefix, TIMEOUT));
    }

    /** A client name whose bucket key (under {@code prefix}) hashes to a slot in [from, to]. */
    private static String clientInSlots(String prefix, String policy, int from, int to) {
        for (int i = 0; ; i++) {
            int slot = SlotHash.getSlot(prefix + bucket(policy, "c" + i, perHour(1)).key());
            if (slot >= from && slot <= to) return "c" + i;
        }
    }

    /** The indexes of the nodes holding {@code key} (a plain EXISTS on each: no redirect followed). */
    private static List<Integer> nodesHolding(String key) throws Exception {
        List<Integer> nodes = new ArrayList<>();
        for (int i = 0; i < cluster.ports().size(); i++) if (cluster.cli(i, "EXISTS", key).equals("1")) nodes.add(i);
        return nodes;
    }

    @Test
    void concurrentRequestsThroughTwoGatewaysGetExactlyTheLimit() throws Exception {
        try (RedisRateLimitStore a = store("rl1:"); RedisRateLimitStore b = store("rl1:")) {
            assertThat(a.describe()).isEqualTo("Redis Cluster at 127.0.0.1:" + cluster.ports().get(0));
            assertThat(hammer(List.of(a, b), bucket("per-client", "acme", perHour(60)), 8, 30)).isEqualTo(60);
        }
    }

    @Test
    void bucketsInDifferentSlotsAreChargedOnTheirOwnNodes() throws Exception {
        String prefix = "rl2:";
        Bucket burst = bucket("burst", clientInSlots(prefix, "burst", 0, FIRST_NODE_LAST_SLOT), perHour(2));
        Bucket quota = bucket("quota", clientInSlots(prefix, "quota", THIRD_NODE_FIRST_SLOT, 16383), perHour(5));
        assertThat(RedisRateLimitStore.slotGroups(prefix, List.of(burst, quota))).hasSize(2);
        try (RedisRateLimitStore s = store(prefix)) {
            assertThat(acquire(s, burst, quota).allowed()).isTrue();
            List<Integer> burstNodes = nodesHolding(prefix + burst.key());
            List<Integer> quotaNodes = nodesHolding(prefix + quota.key());
            assertThat(burstNodes).hasSize(1);
            assertThat(quotaNodes).hasSize(1).doesNotContainAnyElementsOf(burstNodes);

            assertThat(acquire(s, burst, quota).states()).extracting(BucketState::remaining).containsExactly(0L, 3L);
            Verdict third = acquire(s, burst, quota);
            assertThat(third.allowed()).isFalse();
            assertThat(third.states().get(0).allowed()).isFalse();
            // the documented exception to all-or-nothing: the other slot's group admitted, and stays charged
            assertThat(third.states().get(1)).extracting(BucketState::allowed, BucketState::remaining).containsExactly(true, 2L);
            assertThat(acquire(s, quota).states().get(0).remaining()).isEqualTo(1L);
        }
    }

    @Test
    void bucketsSharingAHashTagStayAllOrNothingOnACluster() {
        String prefix = "rl3:";
        Bucket burst = bucket("burst", "acme", perHour(2));
        Bucket quota = bucket("quota", "acme", perHour(5));
        assertThat(RedisRateLimitStore.slotGroups(prefix, List.of(burst, quota))).hasSize(1);
        try (RedisRateLimitStore s = store(prefix)) {
            acquire(s, burst, quota);
            acquire(s, burst, quota);
            Verdict third = acquire(s, burst, quota);
            assertThat(third.allowed()).isFalse();
            assertThat(third.states().get(1)).extracting(BucketState::allowed, BucketState::remaining).containsExactly(true, 3L);
            assertThat(acquire(s, quota).states().get(0).remaining()).isEqualTo(2L);
        }
    }
}
