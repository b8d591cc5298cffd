package io.strait.mesh.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code authz} filter's settings: a policy file's errors are config errors at the filter's path. */
class AuthzConfigTest {
    @TempDir
    Path dir;

    private static String config(String authz) {
        return """
                listeners: [{name: public, address: 127.0.0.1:0}]
                clusters: {a: {endpoints: [{address: 127.0.0.1:9}]}}
                routes:
                  - name: orders
                    match: {pathPrefix: /}
                    cluster: a
                    filters:
                      - authz: %s
                """.formatted(authz);
    }

    @Test
    void loadsPoliciesRelativeToTheConfig() throws Exception {
        Files.writeString(dir.resolve("p.yaml"), """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: p, namespace: shop}
                spec: {}
                """);
        StraitConfig c = ConfigLoader.parse(config("{policies: [p.yaml], namespace: shop}"), "strait.yaml", dir,
                new AuthzFilters().catalog());
        assertThat(c.routes()).hasSize(1);
    }

    @Test
    void policyErrorsAndMissingFieldsNameTheirPath() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: p, namespace: shop}
                spec: {rules: [{to: [{operation: {hosts: [a]}}]}]}
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(
                config("{policies: [bad.yaml], namespace: shop, labelz: {}}"), "strait.yaml", dir, new AuthzFilters().catalog()));
        assertThat(String.join("\n", e.errors()))
                .contains("authz.policies[0]: " + bad + ": [0] spec.rules[0].to[0].operation.hosts: not supported by Strait")
                .contains("labelz");
        ConfigException missing = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(
                config("{namespace: shop}"), "strait.yaml", dir, new AuthzFilters().catalog()));
        assertThat(String.join("\n", missing.errors())).contains("authz.policies: is required");
    }
}
