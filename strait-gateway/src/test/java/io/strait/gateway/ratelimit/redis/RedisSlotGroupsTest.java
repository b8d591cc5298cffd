package io.strait.gateway.ratelimit.redis;

import static io.strait.gateway.ratelimit.redis.RedisRateLimitStoreTest.bucket;
import static io.strait.gateway.ratelimit.redis.RedisRateLimitStoreTest.perHour;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import io.strait.gateway.ratelimit.Bucket;
import io.strait.gateway.ratelimit.BucketState;
import io.strait.gateway.ratelimit.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a request's buckets split into per-slot script calls on a cluster, and how the answers combine. */
class RedisSlotGroupsTest {
    @Test
    void bucketsOfOneClientShareASlotWhateverThePrefixAndTheRest() {
        Bucket a = bucket("burst", "k.key_1", perHour(5));
        Bucket b = new Bucket("quota", "{k.key_1}:quota:GET:users", "k.key_1", perHour(100), true);
        assertThat(SlotHash.getSlot("rate_limit:" + a.key())).isEqualTo(SlotHash.getSlot("rate_limit:" + b.key()))
                .isEqualTo(SlotHash.getSlot("k.key_1"));
        assertThat(RedisRateLimitStore.slotGroups("rate_limit:", List.of(a, b))).containsExactly(new int[] {0, 1});
    }

    @Test
    void otherTagsFormOtherGroupsInFirstSeenOrder() {
        // "a" and "b" hash to different slots (15495 and 3300)
        assertThat(SlotHash.getSlot("{a}")).isNotEqualTo(SlotHash.getSlot("{b}"));
        List<Bucket> buckets = List.of(bucket("p", "b", perHour(1)), bucket("q", "a", perHour(1)), bucket("r", "b", perHour(1)));
        assertThat(RedisRateLimitStore.slotGroups("rl:", buckets)).containsExactly(new int[] {0, 2}, new int[] {1});
    }

    @Test
    void combinedAnswersKeepTheRequestOrderAndRefuseWhenAnyGroupRefused() {
        BucketState admitted = new BucketState(true, 3, 100, 0);
        BucketState refused = new BucketState(false, 0, 900, 50);
        BucketState untouched = new BucketState(true, 1, 400, 0);
        Verdict v = RedisRateLimitStore.combine(3, List.of(new int[] {0, 2}, new int[] {1}), List.of(
                new GcraScript.Reply(false, 1_000, new BucketState[] {refused, untouched}),
                new GcraScript.Reply(true, 1_007, new BucketState[] {admitted})));
        assertThat(v.allowed()).isFalse();
        assertThat(v.states()).containsExactly(refused, admitted, untouched);
        assertThat(v.nowMicros()).isEqualTo(1_007);

        Verdict all = RedisRateLimitStore.combine(2, List.of(new int[] {1}, new int[] {0}), List.of(
                new GcraScript.Reply(true, 5, new BucketState[] {admitted}),
                new GcraScript.Reply(true, 4, new BucketState[] {untouched})));
        assertThat(all.allowed()).isTrue();
        assertThat(all.states()).containsExactly(untouched, admitted);
    }
}
