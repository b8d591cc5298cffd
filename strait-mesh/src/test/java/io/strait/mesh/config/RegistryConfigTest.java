package io.strait.mesh.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.load.ConfigException;
import io.strait.mesh.registry.Registry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code registry.heartbeatInterval} and {@code registry.expiry}: defaults, bounds, errors with their paths. */
class RegistryConfigTest {
    @TempDir
    Path dir;

    private ControlPlaneConfig parse(String yaml) throws ConfigException {
        return ControlPlaneConfigReader.parse(yaml, "cp.yaml", dir);
    }

    private List<String> errors(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml)).errors();
    }

    @Test
    void theDefaultsAreFiveAndFifteenSeconds() throws Exception {
        ControlPlaneConfig c = parse("");
        assertThat(c.registry()).isEqualTo(ControlPlaneConfig.RegistryConfig.DEFAULTS);
        assertThat(c.registry().heartbeatInterval()).isEqualTo(Registry.DEFAULT_HEARTBEAT_INTERVAL).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.registry().expiry()).isEqualTo(Registry.DEFAULT_EXPIRY).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void readsBothAndDefaultsTheExpiryToThreeLongHeartbeats() throws Exception {
        ControlPlaneConfig c = parse("registry: {heartbeatInterval: 2s, expiry: 5s}");
        assertThat(c.registry()).isEqualTo(new ControlPlaneConfig.RegistryConfig(Duration.ofSeconds(2), Duration.ofSeconds(5)));
        assertThat(parse("registry: {heartbeatInterval: 30s}").registry().expiry()).isEqualTo(Duration.ofSeconds(90));
        assertThat(parse("registry: {heartbeatInterval: 1s}").registry().expiry()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void errorsNameTheirPath() {
        assertThat(errors("registry: {heartbeatInterval: 5s, expiry: 8s}"))
                .containsExactly("cp.yaml: registry.expiry: must be at least 2x registry.heartbeatInterval (10s; was 8s)");
        assertThat(errors("registry: {heartbeatInterval: 500ms}"))
                .containsExactly("cp.yaml: registry.heartbeatInterval: must be between 1s and 5m (was 500ms)");
        assertThat(errors("registry: {expiry: 2h}")).containsExactly("cp.yaml: registry.expiry: must be at most 1h (was 2h)");
        assertThat(errors("registry: {expiry: soon, hearbeatInterval: 5s}")).containsExactly(
                "cp.yaml: registry.hearbeatInterval: unknown field (did you mean 'heartbeatInterval'?)",
                "cp.yaml: registry.expiry: must be a duration such as 250ms, 1.5s, 1m30s or 2h (was 'soon')");
        assertThat(errors("registry: 5s")).containsExactly("cp.yaml: registry: must be an object");
    }
}
