package io.strait.proxy.client;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.AuthConfig;
import io.strait.config.model.JwtProviderConfig;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.core.Engine;
import io.strait.proxy.core.Snapshot;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.StraitHeaders;
import io.strait.proxy.observe.TraceContext;
import io.strait.proxy.observe.Tracing;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The {@link ClusterClient} of a running proxy: each call reads the configuration snapshot current when
 * it starts (so calls follow reloads) and runs as one {@link ClientCall} on the caller's event loop,
 * through the cluster's balancer and the process's connection pools. What the caller's request carries
 * of its identity goes along: {@code X-Request-Id} (the id the proxy gave the request), {@code traceparent}
 * and {@code tracestate}, and the identity headers the gateway sets ({@code X-User-ID}, {@code X-Tenant-ID},
 * {@code X-Scopes}, {@code X-API-Key-ID}, the JWT providers' claim headers and {@code auth.identityHeaders}),
 * which the gateway strips from clients first, so what is passed on was set by it.
 */
public final class EngineClusterClient implements ClusterClient {
    private final Engine engine;
    private final EventLoopGroup loops;
    /** The identity header names of the last configuration seen, with it (recomputed when the config changes). */
    private volatile Identity identity = new Identity(null, List.of());

    private record Identity(StraitConfig config, List<String> headers) {}

    /** {@code loops}: where a call made without a caller's loop (no connection: tests) runs. */
    public EngineClusterClient(Engine engine, EventLoopGroup loops) {
        this.engine = engine;
        this.loops = loops;
    }

    @Override
    public CompletionStage<ClientResponse> send(RequestContext caller, ClientRequest request) {
        CompletableFuture<ClientResponse> result = new CompletableFuture<>();
        EventLoop loop = caller != null && caller.eventLoop() != null ? caller.eventLoop() : loops.next();
        if (loop.inEventLoop()) start(caller, request, loop, result);
        else loop.execute(() -> start(caller, request, loop, result)); // the caller's head is read on its loop
        return result;
    }

    private void start(RequestContext caller, ClientRequest request, EventLoop loop, CompletableFuture<ClientResponse> result) {
        try {
            Snapshot snapshot = engine.snapshot();
            HttpHeaders propagated = propagated(caller, snapshot.config());
            String sourceIp = caller == null ? "" : caller.clientIp();
            ClientCall call = new ClientCall(request, propagated, sourceIp, loop, engine.pools(), engine.metrics(), result);
            TraceContext trace = caller == null ? null : caller.trace();
            if (trace != null) span(trace, caller, request, propagated, call, result);
            call.start(snapshot.clusters().get(request.cluster()));
        } catch (RuntimeException e) { // a bug must not leave the caller waiting forever
            result.completeExceptionally(e);
        }
    }

    /**
     * A sampled caller's call is a CLIENT span of the caller's hop: the cluster sees it as its parent in
     * {@code traceparent}, and it ends when the call does (with the status, or why there was none).
     */
    private void span(TraceContext trace, RequestContext caller, ClientRequest request, HttpHeaders propagated, ClientCall call,
            CompletableFuture<ClientResponse> result) {
        Tracing tracing = engine.tracing();
        String spanId = tracing.newSpanId();
        propagated.set(StraitHeaders.TRACEPARENT, trace.traceparent(spanId));
        long startNanos = System.nanoTime();
        long startEpoch = TimeUnit.MILLISECONDS.toNanos(caller.startEpochMillis()) + (startNanos - caller.startNanos());
        result.whenComplete((r, err) -> tracing.endClientSpan(trace, spanId, request.method().name(), request.cluster(),
                call.endpointId(), 0, startEpoch, startEpoch + (System.nanoTime() - startNanos), r == null ? 0 : r.status(),
                err == null ? null : err instanceof ClusterCallException c ? c.error() : "client_error"));
    }

    /** The caller's headers that every call carries (request id, trace context, identity). */
    private HttpHeaders propagated(RequestContext caller, StraitConfig config) {
        HttpHeaders out = new DefaultHttpHeaders();
        if (caller == null) return out;
        HttpHeaders in = caller.headers();
        String id = caller.requestId() != null ? caller.requestId() : in.get(StraitHeaders.REQUEST_ID);
        if (id != null) out.set(StraitHeaders.REQUEST_ID, id);
        copy(in, out, StraitHeaders.TRACEPARENT.toString());
        copy(in, out, StraitHeaders.TRACESTATE.toString());
        for (String h : identityHeaders(config)) copy(in, out, h);
        return out;
    }

    private static void copy(HttpHeaders in, HttpHeaders out, String name) {
        List<String> values = in.getAll(name);
        if (!values.isEmpty()) out.set(name, values);
    }

    private List<String> identityHeaders(StraitConfig config) {
        Identity i = identity;
        if (i.config() == config) return i.headers();
        Set<String> lower = new LinkedHashSet<>();
        List<String> names = new ArrayList<>();
        List<String> all = new ArrayList<>(AuthConfig.BUILT_IN_IDENTITY_HEADERS);
        AuthConfig auth = config.auth();
        if (auth != null) {
            for (JwtProviderConfig p : auth.jwt()) all.addAll(p.claimHeaders().keySet());
            all.addAll(auth.identityHeaders());
        }
        for (String h : all) {
            if (lower.add(h.toLowerCase(Locale.ROOT))) names.add(h);
        }
        identity = new Identity(config, List.copyOf(names));
        return names;
    }
}
