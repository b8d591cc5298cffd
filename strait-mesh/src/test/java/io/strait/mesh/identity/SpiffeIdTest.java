package io.strait.mesh.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** SPIFFE IDs per the SPIFFE ID specification, in the mesh's {@code /ns/N/sa/A} shape. */
class SpiffeIdTest {
    @Test
    void parsesAndPrintsTheMeshShape() {
        SpiffeId id = SpiffeId.parse("spiffe://cluster.local/ns/default/sa/checkout-service");
        assertThat(id).isEqualTo(new SpiffeId("cluster.local", "default", "checkout-service"));
        assertThat(id.uri()).isEqualTo("spiffe://cluster.local/ns/default/sa/checkout-service");
        assertThat(id.principal()).isEqualTo("cluster.local/ns/default/sa/checkout-service");
        assertThat(id.toUri().getScheme()).isEqualTo("spiffe");
        assertThat(SpiffeId.parse("spiffe://a-b_c.9/ns/A.b_C-9/sa/X")).isEqualTo(new SpiffeId("a-b_c.9", "A.b_C-9", "X"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "spiffe://Cluster.local/ns/a/sa/b | must be lowercase",
            "spiffe://cluster.local:8443/ns/a/sa/b | must not hold a port",
            "spiffe://user@cluster.local/ns/a/sa/b | must not hold user info",
            "spiffe:///ns/a/sa/b | the trust domain must not be empty",
            "spiffe://clu$ter/ns/a/sa/b | may hold only a-z, 0-9",
            "spiffe://cluster.local | names no workload",
            "http://cluster.local/ns/a/sa/b | starts with spiffe://",
            "SPIFFE://cluster.local/ns/a/sa/b | lowercase spiffe://",
            "spiffe://cluster.local/ns//sa/b | the path segment must not be empty",
            "spiffe://cluster.local/ns/a/sa/b/ | the path segment must not be empty",
            "spiffe://cluster.local/ns/./sa/b | must not be '.' or '..'",
            "spiffe://cluster.local/ns/../sa/b | must not be '.' or '..'",
            "spiffe://cluster.local/ns/a%20b/sa/b | may hold only letters, digits",
            "spiffe://cluster.local/ns/a/sa/b?x=1 | may hold only letters, digits",
            "spiffe://cluster.local/ns/a/sa/b#f | may hold only letters, digits",
            "spiffe://cluster.local/ns/ä/sa/b | may hold only letters, digits",
            "spiffe://cluster.local/workload | has the path /ns/<namespace>/sa/<account>",
            "spiffe://cluster.local/sa/a/ns/b | has the path /ns/<namespace>/sa/<account>",
            "spiffe://cluster.local/ns/a/sa/b/c | has the path /ns/<namespace>/sa/<account>",
    })
    void refusesWhatTheSpecForbids(String uri, String why) {
        assertThatThrownBy(() -> SpiffeId.parse(uri)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "a b", "a:b"})
    void theRecordRefusesBadSegmentsToo(String segment) {
        assertThatThrownBy(() -> new SpiffeId("cluster.local", segment, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("namespace");
        assertThatThrownBy(() -> new SpiffeId("cluster.local", "x", segment)).hasMessageContaining("account");
    }

    @Test
    void lengthsAreBounded() {
        assertThatThrownBy(() -> new SpiffeId("a".repeat(256), "n", "s")).hasMessageContaining("at most 255");
        assertThat(new SpiffeId("a".repeat(255), "n", "s").trustDomain()).hasSize(255);
        assertThatThrownBy(() -> new SpiffeId("td", "n".repeat(1100), "s".repeat(1000))).hasMessageContaining("at most 2048 bytes");
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://td/ns/" + "n".repeat(3000) + "/sa/x")).hasMessageContaining("at most 2048 bytes");
        assertThatThrownBy(() -> SpiffeId.parse(null)).hasMessage("a SPIFFE ID must not be empty");
    }
}
