package io.strait.mesh.sidecar.outbound;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.ReplyReason;
import java.util.Locale;

/**
 * On the sidecar's outbound listeners, before a route is chosen: a call to a name the mesh does not know is
 * {@code 404 route_not_found} saying so, and a call to a service that has no endpoint at all is
 * {@code 503 no_healthy_upstream} naming the service (rather than a bare "no route"). Calls to services with
 * endpoints go on to their route.
 */
public final class MeshOutboundFilter implements HttpFilter {
    static final String HOW_TO_CALL = "call a service as NAME (same namespace), NAME.NAMESPACE or NAME.NAMESPACE.svc.cluster.local";
    private final MeshOutboundConfig config;

    public MeshOutboundFilter(MeshOutboundConfig config) {
        this.config = config;
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        String service = config.service();
        if (service == null) {
            String host = hostOf(ctx.headers().get(HttpHeaderNames.HOST));
            service = host == null ? null : config.hosts().get(host);
            if (service == null) {
                return FilterResult.respond(ReplyReason.NO_ROUTE, HttpResponseStatus.NOT_FOUND, "route_not_found",
                        (host == null ? "no Host header" : "no mesh service '" + host + "'") + ": " + HOW_TO_CALL);
            }
        } else if (!config.hosts().containsValue(service)) {
            return FilterResult.respond(ReplyReason.NO_ROUTE, HttpResponseStatus.NOT_FOUND, "route_not_found",
                    "no mesh service '" + service + "' for this local port (the control plane does not know it)");
        }
        if (config.empty().contains(service)) {
            return FilterResult.respond(ReplyReason.NO_HEALTHY_UPSTREAM, HttpResponseStatus.SERVICE_UNAVAILABLE, "no_healthy_upstream",
                    "service " + service + " has no endpoints in the mesh");
        }
        return FilterResult.CONTINUE;
    }

    /** The host of a Host header, lower case, without its port; null when absent or empty. */
    static String hostOf(String header) {
        if (header == null || header.isEmpty()) return null;
        String h = header;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end < 0 ? h : h.substring(0, end + 1);
        } else {
            int colon = h.indexOf(':');
            if (colon >= 0) h = h.substring(0, colon);
        }
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return h.isEmpty() ? null : h.toLowerCase(Locale.ROOT);
    }
}
