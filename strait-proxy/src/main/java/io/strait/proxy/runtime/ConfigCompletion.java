package io.strait.proxy.runtime;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.StraitConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the process adds to every configuration before it is checked and applied, whatever its source (the file at
 * start and on reload, {@code PUT /config}, {@link ProxyServer#apply}): a mesh gateway fills in its mesh clusters'
 * pushed endpoints and mutual TLS, which the file cannot name. So a reload keeps what was pushed. Called under the
 * server's lock, never on an event loop; the same input with the same pushed state gives an equal configuration.
 */
@FunctionalInterface
public interface ConfigCompletion {
    /**
     * The configuration to check and apply in place of {@code next}.
     *
     * @throws IllegalArgumentException to refuse {@code next} (the message is {@code path: why}); the running one stays
     */
    StraitConfig complete(StraitConfig next);

    /** A process outside the mesh: a configuration with the top-level {@code mesh} section is refused, nothing else is changed. */
    ConfigCompletion NONE = next -> {
        if (next.mesh() != null) {
            throw new IllegalArgumentException("mesh: this process joins no mesh (a gateway joins it at start, from the mesh section of its file)");
        }
        return next;
    };

    /**
     * The clusters whose endpoints alone differ between {@code running} and {@code next}, with their new endpoints; null
     * when anything else differs (then {@code next} is a new configuration to apply).
     */
    static Map<String, List<EndpointConfig>> endpointsOnly(StraitConfig running, StraitConfig next) {
        if (!running.withClusters(Map.of()).equals(next.withClusters(Map.of()))) return null;
        if (!running.clusters().keySet().equals(next.clusters().keySet())) return null;
        Map<String, List<EndpointConfig>> changed = new LinkedHashMap<>();
        for (Map.Entry<String, ClusterConfig> e : next.clusters().entrySet()) {
            ClusterConfig old = running.clusters().get(e.getKey());
            ClusterConfig now = e.getValue();
            if (!old.withEndpoints(List.of()).equals(now.withEndpoints(List.of()))) return null;
            if (!old.endpoints().equals(now.endpoints())) changed.put(e.getKey(), now.endpoints());
        }
        return changed;
    }
}
