package io.strait.cli.explain;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.strait.proxy.exchange.ProxyExchange;
import io.strait.proxy.route.RouteRequest;
import java.util.List;

/**
 * The request {@code strait explain} asks about, as the engine sees it: the method, the path normalized by the
 * listener's path policy, the raw query, the host (from {@code --host}, else the Host header, as the proxy strips
 * it) and the headers.
 */
record ExplainRequest(String method, String target, String path, String query, String host, HttpHeaders headers) {
    static ExplainRequest of(String method, String target, String path, String query, String host, List<String> headerLines) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("-H: expected 'Name: value', not '" + line + "'");
            h.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        if (host != null && !h.contains("Host")) h.set("Host", host);
        String routeHost = ProxyExchange.hostOf(h.get("Host"));
        return new ExplainRequest(method.toUpperCase(java.util.Locale.ROOT), target, path, query, routeHost, h);
    }

    RouteRequest routeRequest() {
        return RouteRequest.of(host, method, path, query, headers);
    }

    String header(String name) {
        return headers.get(name);
    }

    String queryParam(String name) {
        if (query == null) return null;
        List<String> v = new QueryStringDecoder(query, false).parameters().get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }
}
