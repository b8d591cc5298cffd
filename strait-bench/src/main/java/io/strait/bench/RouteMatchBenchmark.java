package io.strait.bench;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.PathPolicy;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.config.model.RouteMatch.PathKind;
import io.strait.proxy.route.PathNormalizer;
import io.strait.proxy.route.RouteMatchResult;
import io.strait.proxy.route.RouteRequest;
import io.strait.proxy.route.Router;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Normalize + route one request, for a route in the middle of the table, with 10 and 10,000 routes. The table mixes
 * exact, prefix and template routes in turn; every 10th route is limited to a host and every 7th to GET/POST, and
 * one wildcard-host route makes each request probe the wildcard tier before the any-host tier.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteMatchBenchmark {
    private static final String HOST = "api.example.com";

    @Param({"10", "10000"})
    int routes;

    private Router router;
    private HttpHeaders headers;
    private String exactTarget;
    private String prefixTarget;
    private String templateTarget;

    @Setup
    public void setup() {
        List<RouteConfig> configs = new ArrayList<>();
        configs.add(route("internal", PathKind.PREFIX, "/internal", List.of("*.internal.example.com"), Set.of()));
        for (int i = 0; i < routes; i++) {
            List<String> hosts = i % 10 == 0 ? List.of("svc" + i + ".example.com") : List.of();
            Set<String> methods = i % 7 == 0 ? Set.of("GET", "POST") : Set.of();
            configs.add(switch (i % 3) {
                case 0 -> route("r" + i, PathKind.EXACT, "/svc" + i + "/items", hosts, methods);
                case 1 -> route("r" + i, PathKind.PREFIX, "/api/svc" + i, hosts, methods);
                default -> route("r" + i, PathKind.TEMPLATE, "/t/svc" + i + "/{id}/orders/{orderId}", hosts, methods);
            });
        }
        router = Router.build(configs);
        headers = new DefaultHttpHeaders().add("accept", "application/json").add("user-agent", "bench");
        exactTarget = "/svc" + middle(0) + "/items?x=1";
        prefixTarget = "/api/svc" + middle(1) + "/users/42?x=1";
        templateTarget = "/t/svc" + middle(2) + "/7/orders/99";
        for (String t : List.of(exactTarget, prefixTarget, templateTarget)) {
            if (route(t) == null) throw new IllegalStateException("no route for " + t);
        }
    }

    /** The route index nearest the middle with kind {@code kind} (i % 3) and no host condition. */
    private int middle(int kind) {
        int i = routes / 2;
        while (i % 3 != kind || i % 10 == 0) i++;
        return i;
    }

    private static RouteConfig route(String name, PathKind kind, String path, List<String> hosts, Set<String> methods) {
        return new RouteConfig(name, new RouteMatch(kind, path, hosts, methods, List.of(), List.of()),
                "cluster", null, Duration.ZERO, null);
    }

    private RouteMatchResult route(String target) {
        PathNormalizer.Result n = PathNormalizer.normalize(target, PathPolicy.DEFAULT);
        if (!n.ok()) return null;
        return router.match(RouteRequest.of(HOST, "GET", n.path(), n.query(), headers));
    }

    @Benchmark
    public RouteMatchResult exact() {
        return route(exactTarget);
    }

    @Benchmark
    public RouteMatchResult prefix() {
        return route(prefixTarget);
    }

    @Benchmark
    public RouteMatchResult template() {
        return route(templateTarget);
    }
}
