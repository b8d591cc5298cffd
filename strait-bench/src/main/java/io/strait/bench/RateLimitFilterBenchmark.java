package io.strait.bench;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import io.strait.gateway.auth.Identity;
import io.strait.gateway.ratelimit.RateLimitFilter;
import io.strait.gateway.ratelimit.RateLimitStores;
import io.strait.gateway.ratelimit.RateLimits;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.RequestContext;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a route's rate limit adds to one request with the local store: {@code RateLimitFilter.onRequest} and the
 * rate-limit response headers, as {@code bench/ratelimit.sh}'s {@code /limited} route sees them (policy
 * {@code key: [client, route]}, a limit far above the run's rate: every request is charged, none refused). The request
 * context and the upstream's response head are made per call, as the proxy makes them; {@link #baseline} makes only
 * those, so {@code request - baseline} is the filter's own cost. {@code caller}: {@code anonymous} (the client's
 * address is the key) or {@code apiKey} (an {@link Identity} set by the auth filter before).
 *
 * <pre>
 * mvn -B -ntp -q -pl strait-bench -am package -DskipTests
 * java --sun-misc-unsafe-memory-access=allow -jar strait-bench/target/strait-bench-0.1.0-SNAPSHOT-jmh.jar \
 *     RateLimitFilterBenchmark -f 2 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RateLimitFilterBenchmark {
    private static final String CONFIG = """
            listeners: [{name: public, address: 127.0.0.1:8080}]
            rateLimits:
              ietfHeaders: %s
              policies:
                per-client: {limit: 1000000000, window: 1000s, key: [client, route]}
            clusters:
              backend: {endpoints: [{address: 127.0.0.1:9000}]}
            routes:
              - {name: limited, match: {path: /limited}, cluster: backend, rateLimit: [per-client]}
            """;

    @Param({"anonymous", "apiKey"})
    String caller;

    @Param({"false"})
    boolean ietf;

    /**
     * Clients taking turns: {@code 1}, one bucket charged faster than it refills (its remaining count changes every
     * call); {@code 16}, each bucket charged every few microseconds, so it stays full as under bench/ratelimit.sh's
     * load (and as for most clients of a real gateway, well under their limits).
     */
    @Param({"1", "16"})
    int clients;

    private RateLimits limits;
    private RateLimitFilter filter;
    private HttpRequest request;
    private InetSocketAddress[] addresses;
    /** The client's address as text, as its connection keeps it. */
    private String[] ips;
    private Identity[] identities;
    private int next;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        StraitConfig config = ConfigLoader.parse(CONFIG.formatted(ietf), "bench");
        RouteConfig route = config.routes().get(0);
        limits = new RateLimits(RateLimitStores::create);
        limits.registerMetrics(new PrometheusRegistry()); // as the gateway does: counters without exemplars
        limits.prepare(config.rateLimits(), true);
        filter = limits.routeFilter(route, (io.strait.config.model.RouteRateLimit) route.filter("rateLimit"));
        limits.committed();
        request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/limited");
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:8080").set(HttpHeaderNames.USER_AGENT, "wrk")
                .set(HttpHeaderNames.ACCEPT, "*/*");
        addresses = new InetSocketAddress[clients];
        ips = new String[clients];
        identities = new Identity[clients];
        for (int c = 0; c < clients; c++) {
            addresses[c] = new InetSocketAddress("10.0.0." + (c + 1), 40000);
            ips[c] = RequestContext.ipOf(addresses[c]);
            identities[c] = caller.equals("apiKey")
                    ? new Identity("apiKey", null, "acme", Set.of("users:read"), "key_7f3a9c" + c, Map.of(), null)
                    : null;
        }
        HttpResponse check = request();
        if (!check.headers().contains("X-RateLimit-Remaining")) throw new IllegalStateException("no rate-limit headers");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        limits.close();
    }

    private RequestContext context() {
        int c = next;
        next = c + 1 == clients ? 0 : c + 1;
        RequestContext ctx = new RequestContext(request, addresses[c], ips[c], false, "HTTP/1.1");
        if (identities[c] != null) ctx.attr(Identity.KEY).set(identities[c]);
        return ctx;
    }

    private static HttpResponse upstreamResponse() {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain").set(HttpHeaderNames.CONTENT_LENGTH, "13");
        return res;
    }

    /** The request context and response head alone: what {@link #request} costs without the filter. */
    @Benchmark
    public HttpResponse baseline(Blackhole bh) {
        bh.consume(context());
        return upstreamResponse();
    }

    /** The request side alone: the context and {@code onRequest} (the store's charge, the key, the header values). */
    @Benchmark
    public RequestContext onRequest() {
        RequestContext ctx = context();
        if (filter.onRequest(ctx) != FilterResult.CONTINUE) throw new IllegalStateException("refused");
        return ctx;
    }

    /** One admitted request: charged, then the response head gets its {@code X-RateLimit-*} headers. */
    @Benchmark
    public HttpResponse request() {
        RequestContext ctx = context();
        if (filter.onRequest(ctx) != FilterResult.CONTINUE) throw new IllegalStateException("refused");
        HttpResponse res = upstreamResponse();
        ctx.applyResponseHeaders(res.headers()); // as ProxyExchange.onResponseHead, then the response filters
        filter.onResponse(ctx, res);
        return res;
    }
}
