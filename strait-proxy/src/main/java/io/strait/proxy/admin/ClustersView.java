package io.strait.proxy.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.cluster.ClusterManager;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.EndpointStatus;
import io.strait.proxy.endpoint.EndpointPool;
import io.strait.proxy.endpoint.UpstreamPools;

/**
 * {@code GET /clusters}: every cluster's circuit-breaker and outlier-detection state, and its
 * endpoints with health, ejection, load and connection-pool state.
 */
final class ClustersView {
    private ClustersView() {}

    static String toJson(ClusterManager clusters, UpstreamPools pools) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ObjectNode all = root.putObject("clusters");
        for (Cluster c : clusters.all()) {
            ObjectNode co = all.putObject(c.name());
            co.set("loadBalancer", ConfigView.node(c.config().loadBalancer(), ""));
            co.set("protocol", ConfigView.node(c.config().protocol(), ""));
            c.resilience().describe().forEach((k, v) -> co.set(k, ConfigView.node(v, "")));
            ArrayNode eps = co.putArray("endpoints");
            for (EndpointStatus st : c.describe()) {
                ObjectNode eo = (ObjectNode) ConfigView.node(st.toMap(), "");
                eps.add(eo);
            }
            for (int i = 0; i < c.endpoints().size(); i++) {
                Endpoint e = c.endpoints().get(i);
                EndpointPool p = pools.pool(e, c.config());
                ObjectNode eo = (ObjectNode) eps.get(i);
                if (eo == null) continue;
                ObjectNode po = eo.putObject("pool");
                po.put("active", p.activeConnections());
                po.put("idle", p.idleConnections());
                po.put("pending", p.pendingRequests());
            }
        }
        return ConfigView.write(root);
    }
}
