package io.strait.proxy.cluster.lb;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.proxy.cluster.Endpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Endpoints and request contexts for balancer tests. */
final class Fixtures {
    private Fixtures() {}

    record Ctx(HttpHeaders requestHeaders, String sourceIp) implements LbContext {
        static Ctx empty() {
            return new Ctx(new DefaultHttpHeaders(), "192.0.2.1");
        }

        static Ctx header(String name, String value) {
            return new Ctx(new DefaultHttpHeaders().add(name, value), "192.0.2.1");
        }
    }

    /** Endpoint {@code 10.0.0.<n>:80} in no zone. */
    static Endpoint ep(int n, int weight) {
        return ep(n, weight, null);
    }

    static Endpoint ep(int n, int weight, String zone) {
        return new Endpoint(new InetSocketAddress("10.0.0." + n, 80), zone, Map.of(), weight);
    }

    static List<Endpoint> eps(int count) {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) out.add(ep(i, 1));
        return List.copyOf(out);
    }

    /** How often each endpoint is picked in {@code picks} selections. */
    static Map<Endpoint, Integer> count(int picks, Supplier<Endpoint> select) {
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) counts.merge(select.get(), 1, Integer::sum);
        return counts;
    }
}
