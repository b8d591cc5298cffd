package io.strait.proxy.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.strait.proxy.client.ClusterCallException.Reason;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.lb.LbContext;
import io.strait.proxy.endpoint.PoolCallback;
import io.strait.proxy.endpoint.PoolOverflowException;
import io.strait.proxy.endpoint.UpstreamConnection;
import io.strait.proxy.endpoint.UpstreamListener;
import io.strait.proxy.endpoint.UpstreamPools;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.resilience.AttemptResult;
import io.strait.proxy.resilience.ClusterResilience;
import io.strait.proxy.tls.UpstreamTlsException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@link ClusterClient} call, on one event loop from start to end: admission to the cluster (its
 * request limit and circuit breaker), an endpoint from its balancer, a pooled connection, the request
 * written whole, the response read whole up to its limit. The result feeds the cluster's breaker and
 * outlier detection as a proxied attempt does. One timer bounds it all. Every ending lets go of what
 * the call holds exactly once: the connection (back to its pool only after a clean, keep-alive
 * response), the body read so far, the endpoint's and the cluster's counts.
 */
final class ClientCall implements PoolCallback, UpstreamListener {
    private final ClientRequest request;
    private final HttpHeaders propagated;
    private final String sourceIp;
    private final EventLoop loop;
    private final UpstreamPools pools;
    private final ProxyMetrics metrics;
    private final CompletableFuture<ClientResponse> result;

    private Cluster cluster;
    private ClusterResilience resilience;
    private Endpoint endpoint;
    private ScheduledFuture<?> timer;
    private UpstreamConnection connection;
    private boolean requestAdmitted;
    private boolean attemptOpen;
    private boolean done;
    /** The final response head, once it came. */
    private HttpResponse head;
    private CompositeByteBuf body;
    private long bodyBytes;

    ClientCall(ClientRequest request, HttpHeaders propagated, String sourceIp, EventLoop loop, UpstreamPools pools,
            ProxyMetrics metrics, CompletableFuture<ClientResponse> result) {
        this.request = request;
        this.propagated = propagated;
        this.sourceIp = sourceIp;
        this.loop = loop;
        this.pools = pools;
        this.metrics = metrics;
        this.result = result;
    }

    /** The endpoint the call went to ({@code host:port}), or null before one was chosen. */
    String endpointId() {
        Endpoint e = endpoint;
        return e == null ? null : e.id();
    }

    /** Starts the call to {@code c} (null: no such cluster in the running configuration). */
    void start(Cluster c) {
        if (c == null) {
            fail(Reason.UNKNOWN_CLUSTER, "unknown cluster '" + request.cluster() + "'", null);
            return;
        }
        cluster = c;
        resilience = c.resilience();
        if (resilience.tryRequest() != ClusterResilience.Admission.OK) {
            fail(Reason.OVERLOADED, "too many requests in flight to cluster " + c.name(), null);
            return;
        }
        requestAdmitted = true;
        if (resilience.tryAttempt() != ClusterResilience.Admission.OK) {
            fail(Reason.OVERLOADED, "the circuit breaker of cluster " + c.name() + " is open", null);
            return;
        }
        attemptOpen = true;
        endpoint = c.select(LbContext.of(propagated, sourceIp));
        if (endpoint == null) {
            fail(Reason.NO_HEALTHY_ENDPOINT, "no healthy endpoint in cluster " + c.name(), AttemptResult.CANCELLED);
            return;
        }
        endpoint.requestStarted();
        timer = loop.schedule(this::timedOut, request.timeout().toNanos(), TimeUnit.NANOSECONDS);
        pools.pool(endpoint, c.config()).acquire(loop, this);
    }

    // ---------------------------------------------------------------- the connection

    @Override
    public void onAcquired(UpstreamConnection c) {
        if (done) {
            c.release();
            return;
        }
        connection = c;
        c.attach(this);
        c.writeAndFlush(upstreamRequest());
    }

    @Override
    public void onAcquireFailed(Throwable cause) {
        if (done) return;
        if (cause instanceof PoolOverflowException) {
            fail(Reason.OVERLOADED, "too many requests waiting for " + endpoint.id(), AttemptResult.CANCELLED);
        } else if (cause instanceof UpstreamTlsException) {
            fail(Reason.CONNECT_FAILURE, cause.getMessage(), AttemptResult.CONNECT_FAILURE);
        } else if (cause instanceof ConnectTimeoutException) {
            fail(Reason.CONNECT_FAILURE, "connecting to " + endpoint.id() + " timed out", AttemptResult.CONNECT_FAILURE);
        } else {
            fail(Reason.CONNECT_FAILURE, "cannot connect to " + endpoint.id() + " (cluster " + cluster.name() + ")",
                    AttemptResult.CONNECT_FAILURE);
        }
    }

    private FullHttpRequest upstreamRequest() {
        byte[] b = request.body();
        ByteBuf content = b == null || b.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(b);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.pathAndQuery(), content);
        HttpHeaders h = req.headers();
        for (Map.Entry<String, String> e : request.headers()) h.add(e.getKey(), e.getValue());
        for (Map.Entry<String, String> e : propagated) {
            if (!h.contains(e.getKey())) h.add(e.getKey(), e.getValue());
        }
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.remove(HttpHeaderNames.CONNECTION);
        if (!h.contains(HttpHeaderNames.HOST)) h.set(HttpHeaderNames.HOST, endpoint.hostname() != null ? endpoint.hostname() : endpoint.id());
        if (content.isReadable() || !bodiless(request.method())) h.set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        else h.remove(HttpHeaderNames.CONTENT_LENGTH);
        return req;
    }

    private static boolean bodiless(HttpMethod m) {
        return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.DELETE || m == HttpMethod.OPTIONS;
    }

    @Override
    public void onUpstreamMessage(Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            fail(Reason.RESET, "malformed response from " + endpoint.id() + ": " + o.decoderResult().cause().getMessage(),
                    AttemptResult.RESET);
            return;
        }
        if (msg instanceof HttpResponse res) {
            int code = res.status().code();
            if (code < 200) { // an informational response (100 Continue): the real one follows
                ReferenceCountUtil.release(msg);
                return;
            }
            head = res;
            long declared = HttpUtil.getContentLength(res, -1L);
            if (declared > request.maxResponseBytes()) {
                ReferenceCountUtil.release(msg);
                tooLarge();
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            if (head == null) { // content with no head: nothing sane to do with it
                content.release();
                return;
            }
            ByteBuf bytes = content.content();
            bodyBytes += bytes.readableBytes();
            if (bodyBytes > request.maxResponseBytes()) {
                content.release();
                tooLarge();
                return;
            }
            if (bytes.isReadable()) {
                if (body == null) body = connection.channel().alloc().compositeBuffer();
                body.addComponent(true, bytes.retain());
            }
            boolean last = content instanceof LastHttpContent;
            content.release();
            if (last) succeed();
        }
    }

    private void tooLarge() {
        // the rest of the response stays unread: the connection cannot serve another request
        fail(Reason.RESPONSE_TOO_LARGE, "the response of " + endpoint.id() + " (cluster " + cluster.name() + ") exceeds "
                + request.maxResponseBytes() + " bytes", AttemptResult.ofStatus(head == null ? 200 : head.status().code()));
    }

    @Override
    public void onUpstreamReadComplete() {}

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {}

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (done) return;
        connection = null; // closed: nothing to give back
        if (cause instanceof UpstreamTlsException) {
            fail(Reason.CONNECT_FAILURE, cause.getMessage(), AttemptResult.RESET);
        } else {
            fail(Reason.RESET, "the connection to " + endpoint.id() + " closed before the whole response", AttemptResult.RESET);
        }
    }

    private void timedOut() {
        if (done) return;
        fail(Reason.TIMEOUT, "no whole response from cluster " + cluster.name() + (endpoint == null ? "" : " (" + endpoint.id() + ")")
                + " within " + request.timeout().toMillis() + "ms", AttemptResult.TIMEOUT);
    }

    // ---------------------------------------------------------------- endings

    private void succeed() {
        HttpResponse res = head;
        byte[] bytes = body == null ? new byte[0] : ByteBufUtil.getBytes(body);
        boolean reusable = HttpUtil.isKeepAlive(res);
        UpstreamConnection c = connection;
        connection = null;
        if (reusable) c.release();
        else c.discard();
        end(AttemptResult.ofStatus(res.status().code()));
        metrics.clientCall(request.cluster(), "ok");
        HttpHeaders headers = res.headers() == null ? EmptyHttpHeaders.INSTANCE : res.headers();
        result.complete(new ClientResponse(res.status().code(), headers, bytes));
    }

    private void fail(Reason reason, String message, AttemptResult attempt) {
        if (done) return;
        if (connection != null) {
            UpstreamConnection c = connection;
            connection = null;
            c.discard();
        }
        end(attempt == null ? AttemptResult.CANCELLED : attempt);
        // an unknown cluster's name is the filter's (configured, so bounded), never a client's
        metrics.clientCall(request.cluster(), reason.error());
        result.completeExceptionally(new ClusterCallException(reason, request.cluster(), message));
    }

    /** Lets go of everything once: timer, body, the attempt's and request's permits, the endpoint's count. */
    private void end(AttemptResult attempt) {
        done = true;
        if (timer != null) timer.cancel(false);
        if (body != null) {
            body.release();
            body = null;
        }
        if (attemptOpen) {
            attemptOpen = false;
            resilience.attemptDone(endpoint, attempt);
        }
        if (requestAdmitted) {
            requestAdmitted = false;
            resilience.requestDone();
        }
        if (endpoint != null) endpoint.requestFinished();
    }
}
