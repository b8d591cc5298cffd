package io.strait.filters;

import io.netty.handler.codec.http.HttpMethod;
import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.ProxyFixture;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One request through a real proxy over HTTP/1.1 (the JDK client) or HTTP/2 (h2c with prior knowledge,
 * {@link H2Client}), answered as a {@link Reply} the tests read the same way for both.
 */
public enum Wire {
    HTTP1, HTTP2;

    /** A response: status, headers by lower-case name (every value, in order), body. */
    public record Reply(int status, Map<String, List<String>> headers, String body) {
        /** The header's only value, or null; fails when it has several. */
        public String header(String name) {
            List<String> v = headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
            if (v.size() > 1) throw new AssertionError(name + " has " + v.size() + " values: " + v);
            return v.isEmpty() ? null : v.get(0);
        }

        public boolean has(String name) {
            return headers.containsKey(name.toLowerCase(Locale.ROOT));
        }
    }

    public Reply send(ProxyFixture proxy, String method, String path, Map<String, String> headers) throws Exception {
        if (this == HTTP1) {
            HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path)).method(method, HttpRequest.BodyPublishers.noBody());
            headers.forEach(b::header);
            var res = proxy.send(b.build());
            Map<String, List<String>> h = new LinkedHashMap<>();
            res.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            return new Reply(res.statusCode(), h, res.body());
        }
        try (H2Client c = new H2Client("127.0.0.1", proxy.port())) {
            H2Client.Response res = c.request(HttpMethod.valueOf(method), path, headers, null).get(10, TimeUnit.SECONDS);
            Map<String, List<String>> h = new LinkedHashMap<>();
            for (String name : res.headers().names()) {
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.startsWith("x-http2-")) continue;
                h.put(lower, new ArrayList<>(res.headers().getAll(name)));
            }
            return new Reply(res.status(), h, res.body());
        }
    }

    public Reply get(ProxyFixture proxy, String path, Map<String, String> headers) throws Exception {
        return send(proxy, "GET", path, headers);
    }
}
