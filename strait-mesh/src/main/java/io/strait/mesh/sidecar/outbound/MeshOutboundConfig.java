package io.strait.mesh.sidecar.outbound;

import io.strait.config.model.FilterConfig;
import java.util.Map;
import java.util.Set;

/**
 * {@code - meshOutbound: {hosts: {orders: orders.shop, ...}, empty: [orders.shop], service: orders.shop}}: what the
 * sidecar's outbound listener knows of the mesh, to answer the app's mistakes with the reason.
 *
 * @param hosts every name the app may call a service by, to the service ({@code NAME.NAMESPACE})
 * @param empty the services the mesh knows with no endpoint at all
 * @param service for a local port of one service: that service ({@code Host} is not looked at); null on the
 *     outbound port
 */
public record MeshOutboundConfig(Map<String, String> hosts, Set<String> empty, String service) implements FilterConfig {
    public MeshOutboundConfig {
        hosts = Map.copyOf(hosts);
        empty = Set.copyOf(empty);
    }
}
