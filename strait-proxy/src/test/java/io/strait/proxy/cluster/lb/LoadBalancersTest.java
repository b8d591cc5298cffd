package io.strait.proxy.cluster.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.ClusterConfig.ZoneAware;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBalancersTest {
    private static ClusterConfig config(LoadBalancerKind kind, HashOn hashOn, ZoneAware zoneAware) {
        return new ClusterConfig("c", List.of(), kind, hashOn, zoneAware, ClusterConfig.UpstreamProtocol.HTTP1, null, null,
                Duration.ofSeconds(30));
    }

    @Test
    void builds_the_configured_kind() {
        assertThat(LoadBalancers.create(config(LoadBalancerKind.ROUND_ROBIN, null, null), null)).isInstanceOf(RoundRobinBalancer.class);
        assertThat(LoadBalancers.create(config(null, null, null), null)).isInstanceOf(RoundRobinBalancer.class);
        assertThat(LoadBalancers.create(config(LoadBalancerKind.LEAST_REQUEST, null, null), null)).isInstanceOf(LeastRequestBalancer.class);
        assertThat(LoadBalancers.create(config(LoadBalancerKind.RANDOM, null, null), null)).isInstanceOf(RandomBalancer.class);
        assertThat(LoadBalancers.create(config(LoadBalancerKind.RING_HASH, new HashOn("x", null, false), null), null))
                .isInstanceOf(RingHashBalancer.class);
        assertThat(LoadBalancers.create(config(LoadBalancerKind.ZONE_AWARE, null, new ZoneAware(50)), "a"))
                .isInstanceOf(ZoneAwareBalancer.class);
    }

    @Test
    void ring_hash_without_a_key_is_refused() {
        assertThatThrownBy(() -> LoadBalancers.create(config(LoadBalancerKind.RING_HASH, null, null), null))
                .hasMessageContaining("hashOn");
    }
}
