package io.strait.mesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.mesh.api.v1.Label;
import io.strait.mesh.api.v1.PeerAuthentication;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelsTest {
    @Test
    void labelsGoOutInKeyOrderAndComeBackAsTheSameMap() {
        Map<String, String> labels = Map.of("version", "v2", "app", "orders", "zone", "a");
        assertThat(Labels.of(labels)).extracting(Label::getKey).containsExactly("app", "version", "zone");
        assertThat(Labels.map(Labels.of(labels))).isEqualTo(labels);
        assertThat(Labels.portModes(Labels.portModes(Map.of(8080, "STRICT", 9090, "PERMISSIVE"))))
                .isEqualTo(Map.of(8080, "STRICT", 9090, "PERMISSIVE"));
    }

    @Test
    void aKeySentTwiceKeepsItsLastValueAsAProtobufMapDoes() {
        var twice = java.util.List.of(Label.newBuilder().setKey("app").setValue("a").build(),
                Label.newBuilder().setKey("app").setValue("b").build());
        assertThat(Labels.map(twice)).containsExactly(Map.entry("app", "b"));
    }

    @Test
    void portModesSurviveTheWire() throws Exception {
        PeerAuthentication pa = PeerAuthentication.newBuilder().setMode("STRICT")
                .addAllPortModes(Labels.portModes(Map.of(8080, "PERMISSIVE", 15006, "STRICT"))).build();
        assertThat(Labels.portModes(PeerAuthentication.parseFrom(pa.toByteArray()).getPortModesList()))
                .isEqualTo(Map.of(8080, "PERMISSIVE", 15006, "STRICT"));
    }
}
