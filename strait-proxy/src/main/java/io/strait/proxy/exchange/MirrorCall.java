package io.strait.proxy.exchange;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.lb.LbContext;
import io.strait.proxy.endpoint.PoolCallback;
import io.strait.proxy.endpoint.UpstreamConnection;
import io.strait.proxy.endpoint.UpstreamListener;
import io.strait.proxy.endpoint.UpstreamPools;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A fire-and-forget copy of one request to a shadow cluster (route {@code mirror}). It never slows
 * the real call: the copy's body chunks are duplicates of the real ones, a copy that cannot keep up
 * (its connection not writable, or more than {@link #MAX_QUEUED_BYTES} waiting for a connection) is
 * abandoned, and its answer is read and dropped. The shadow sees the Host header with {@code
 * -shadow} appended, as Istio and Envoy send it, so it can tell copies from real calls.
 */
final class MirrorCall implements PoolCallback, UpstreamListener {
    /** Body bytes a copy may hold while its connection is being made; past this it is dropped (Envoy buffers too). */
    static final int MAX_QUEUED_BYTES = 64 * 1024;
    /** How long a copy may take in all before its connection is closed, so a hung shadow holds nothing. */
    static final long MAX_DURATION_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final HttpRequest head;
    private final ArrayDeque<HttpContent> queued = new ArrayDeque<>();
    private final Endpoint endpoint;
    private final ScheduledFuture<?> deadline;
    private UpstreamConnection connection;
    private int queuedBytes;
    private boolean requestDone;
    private boolean headWritten;
    private boolean upstreamKeepAlive = true;
    private boolean finished;

    private MirrorCall(HttpRequest head, Endpoint endpoint, EventLoop loop) {
        this.head = head;
        this.endpoint = endpoint;
        this.deadline = loop.schedule(() -> abandon(), MAX_DURATION_NANOS, TimeUnit.NANOSECONDS);
        endpoint.requestStarted();
    }

    /**
     * Starts a copy of {@code request} (its upstream head, as rewritten for the real call) to {@code
     * shadow}; null when the shadow has no healthy endpoint. {@code whole}: the request has no body to follow.
     */
    static MirrorCall start(HttpRequest request, boolean whole, Cluster shadow, LbContext ctx, UpstreamPools pools,
            EventLoop loop) {
        Endpoint e = shadow.select(ctx);
        if (e == null) return null;
        HttpRequest head = whole
                ? new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri())
                : new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri());
        head.headers().set(request.headers());
        String host = head.headers().get(HttpHeaderNames.HOST);
        if (host != null) head.headers().set(HttpHeaderNames.HOST, shadowHost(host));
        MirrorCall call = new MirrorCall(head, e, loop);
        call.requestDone = whole;
        pools.pool(e, shadow.config()).acquire(loop, call);
        return call;
    }

    /** {@code host-shadow}, keeping a port: {@code api:8080} becomes {@code api-shadow:8080}. */
    static String shadowHost(String host) {
        int colon = host.lastIndexOf(':');
        boolean port = colon > 0 && host.indexOf(']') < colon && host.substring(colon + 1).chars().allMatch(Character::isDigit);
        return port ? host.substring(0, colon) + "-shadow" + host.substring(colon) : host + "-shadow";
    }

    /** A body chunk of the real request (a duplicate the copy owns). */
    void offer(HttpContent content) {
        if (finished) {
            content.release();
            return;
        }
        if (content instanceof LastHttpContent) requestDone = true;
        if (connection == null) {
            queuedBytes += content.content().readableBytes();
            queued.add(content);
            if (queuedBytes > MAX_QUEUED_BYTES) abandon();
            return;
        }
        if (!connection.isWritable()) {
            content.release();
            abandon(); // the shadow is slower than the real call: the copy goes, the real call does not wait
            return;
        }
        connection.writeAndFlush(content);
    }

    /** The real request ended without its whole body (aborted): the copy cannot be completed. */
    void realRequestAborted() {
        if (!requestDone) abandon();
    }

    @Override
    public void onAcquired(UpstreamConnection c) {
        if (finished) {
            c.release();
            return;
        }
        connection = c;
        c.attach(this);
        headWritten = true;
        c.write(head);
        while (!queued.isEmpty()) c.write(queued.poll());
        queuedBytes = 0;
        c.channel().flush();
    }

    @Override
    public void onAcquireFailed(Throwable cause) {
        finish();
    }

    @Override
    public void onUpstreamMessage(Object msg) {
        boolean last = msg instanceof LastHttpContent;
        if (msg instanceof HttpResponse res) upstreamKeepAlive = HttpUtil.isKeepAlive(res);
        ReferenceCountUtil.release(msg);
        if (last && !finished && connection != null) {
            UpstreamConnection c = connection;
            connection = null;
            if (upstreamKeepAlive && requestDone) c.release();
            else c.discard();
            finish();
        }
    }

    @Override
    public void onUpstreamReadComplete() {}

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {}

    @Override
    public void onUpstreamClosed(Throwable cause) {
        connection = null;
        finish();
    }

    private void abandon() {
        if (finished) return;
        if (connection != null) {
            connection.discard();
            connection = null;
        }
        finish();
    }

    private void finish() {
        if (finished) return;
        finished = true;
        deadline.cancel(false);
        endpoint.requestFinished();
        if (!headWritten) ReferenceCountUtil.release(head);
        while (!queued.isEmpty()) queued.poll().release();
    }
}
