package io.strait.mesh.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Addresses, labels, service names and instance ids as the registry accepts them. */
class WorkloadCheckTest {
    @Test
    void addressesAreHostPortAPeerCanDial() {
        for (String ok : new String[] {"10.0.0.1:15006", "[::1]:15006", "[fd00::12:3]:1", "orders-0.orders.shop.svc.cluster.local:15006",
                "localhost:65535", "node.example.:443"}) {
            assertThat(WorkloadCheck.checkAddress(ok)).as(ok).isNull();
        }
        assertThat(WorkloadCheck.checkAddress("orders")).isEqualTo("must be host:port (was 'orders')");
        assertThat(WorkloadCheck.checkAddress("orders:0")).isEqualTo("the port must be a number from 1 to 65535 (was '0')");
        assertThat(WorkloadCheck.checkAddress("orders:65536")).isEqualTo("the port must be a number from 1 to 65535 (was '65536')");
        assertThat(WorkloadCheck.checkAddress("orders:http")).startsWith("the port must be");
        assertThat(WorkloadCheck.checkAddress(":80")).startsWith("must be host:port");
        assertThat(WorkloadCheck.checkAddress("0.0.0.0:80")).startsWith("0.0.0.0 is not an address a peer can dial");
        assertThat(WorkloadCheck.checkAddress("[::]:80")).startsWith("[::] is not an address a peer can dial");
        assertThat(WorkloadCheck.checkAddress("::1:80")).startsWith("an IPv6 address is written in brackets");
        assertThat(WorkloadCheck.checkAddress("256.1.1.1:80")).isEqualTo("'256.1.1.1' is not an IPv4 address");
        assertThat(WorkloadCheck.checkAddress("1.2.3:80")).startsWith("the host must be a DNS name");
        assertThat(WorkloadCheck.checkAddress("-bad.example:80")).startsWith("the host must be a DNS name");
        assertThat(WorkloadCheck.checkAddress("a_b:80")).startsWith("the host must be a DNS name");
        assertThat(WorkloadCheck.checkAddress("[nothex]:80")).isEqualTo("'[nothex]:80' does not hold an IPv6 address");
        assertThat(WorkloadCheck.checkAddress("a\nb:80")).contains("a\\u000ab");
        assertThat(WorkloadCheck.checkAddress("")).startsWith("must not be empty");
    }

    @Test
    void labelsFollowKubernetesRules() {
        for (String key : new String[] {"app", "app.kubernetes.io/name", "topology.kubernetes.io/zone", "A_b-c.d", "x".repeat(63)}) {
            assertThat(WorkloadCheck.checkLabelKey(key)).as(key).isNull();
        }
        for (String key : new String[] {"", "-app", "app-", "a/b/c", "Example.com/x", "/x", "x/", "x".repeat(64), "has space"}) {
            assertThat(WorkloadCheck.checkLabelKey(key)).as(key).isNotNull();
        }
        for (String value : new String[] {"", "v1", "a.b_c-d", "x".repeat(63)}) assertThat(WorkloadCheck.checkLabelValue(value)).as(value).isNull();
        for (String value : new String[] {"-v1", "v1.", "a b", "x".repeat(64), "é"}) assertThat(WorkloadCheck.checkLabelValue(value)).as(value).isNotNull();
        assertThat(WorkloadCheck.checkLabelKey("Example.com/x")).isEqualTo(
                "the key's prefix must be a lowercase DNS subdomain of at most 253 characters (was 'Example.com')");
    }

    @Test
    void serviceNamesAreDnsLabelsAndInstanceIdsAreStoreSafe() {
        assertThat(WorkloadCheck.checkService("orders-v2")).isNull();
        assertThat(WorkloadCheck.checkService("Orders")).startsWith("must be a DNS label");
        assertThat(WorkloadCheck.checkService("orders.shop")).startsWith("must be a DNS label");
        assertThat(WorkloadCheck.checkService("")).isEqualTo("must not be empty");
        assertThat(WorkloadCheck.checkInstanceId("3f2a9c1e-0b7d-4c55-9f0e-1a2b3c4d5e6f")).isNull();
        assertThat(WorkloadCheck.checkInstanceId("orders-7d9f_2.1")).isNull();
        assertThat(WorkloadCheck.checkInstanceId(".hidden")).startsWith("letters, digits");
        assertThat(WorkloadCheck.checkInstanceId("a/b")).startsWith("letters, digits");
        assertThat(WorkloadCheck.checkInstanceId("x".repeat(129))).isEqualTo("at most 128 characters (was 129)");
    }

    @Test
    void tooManyLabelsAreRefused() {
        java.util.Map<String, String> labels = new java.util.HashMap<>();
        for (int i = 0; i <= WorkloadCheck.MAX_LABELS; i++) labels.put("l" + i, "v");
        Workload w = new Workload("i-1", "orders", "shop", "orders", "10.0.0.1:1", "", labels);
        assertThat(WorkloadCheck.problems(w)).containsExactly("workload.labels: at most 64 labels (was 65)");
    }
}
