package io.strait.proxy.listener;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.strait.config.model.ListenerConfig;
import io.strait.proxy.exchange.Downstream;
import io.strait.proxy.exchange.ProxyExchange;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.ErrorResponse;
import io.strait.proxy.core.Engine;
import io.strait.proxy.core.ListenerRuntime;
import io.strait.proxy.core.Snapshot;
import io.strait.proxy.tls.ClientCertificate;
import io.strait.proxy.tls.HttpsRedirect;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a downstream HTTP/1.1 connection or HTTP/2 stream: turns each request into a
 * {@link ProxyExchange}, one at a time. Reading is explicit (auto-read off): the next message is
 * read only when the exchange asks, which keeps pipelined requests in order and bodies
 * back-pressured. One socket read can decode into several messages (a request head and its end,
 * or pipelined requests): those not asked for yet wait in {@link #pending}, as Netty's
 * {@code FlowControlHandler} would keep them, without a pipeline hop per message. For HTTP/1.1 it
 * also owns the connection's timers: a client that stays idle longer than the idle timeout is closed,
 * one that starts a request but does not finish its head within the headers timeout gets 408. The one
 * timer also serves the exchange's deadlines, but the exchange decides what is due.
 */
public final class DownstreamHandler extends ChannelInboundHandlerAdapter implements Downstream {
    /** Pipelined requests answered from the decoder's queue recurse; past this depth reads are re-queued on the loop. */
    private static final int MAX_READ_DEPTH = 8;
    /** Timers fire no sooner than this after being armed. */
    private static final long MIN_TIMER_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final Logger log = LoggerFactory.getLogger(DownstreamHandler.class);
    /** A failed write means the client is gone or the codec refused: close, so the exchange ends. */
    private static final ChannelFutureListener WRITE_FAILURE = f -> {
        if (!f.isSuccess()) {
            if (log.isDebugEnabled()) log.debug("write to {} failed: {}", f.channel(), f.cause().toString());
            f.channel().close();
        }
    };

    private final Engine engine;
    private final ListenerConfig listener;
    /** The listener's part of the snapshot its last request read (looked up again when the generation changes). */
    private ListenerRuntime view;
    private Snapshot viewSnapshot;
    private final boolean http2;
    private final boolean secure;
    private ChannelHandlerContext ctx;
    /** The client's address, and as text: looked up once per connection. */
    private InetSocketAddress client;
    private String clientIp;
    private ProxyExchange exchange;
    private boolean closeAfterResponse;
    private boolean tunnel;
    private boolean activated;
    /** A request without body was answered with a redirect: its end-of-message is still to be read. */
    private boolean redirected;
    private boolean readWanted;
    private int readDepth;
    /** Decoded messages not asked for yet, oldest first; created on first use. */
    private ArrayDeque<Object> pending;
    private long idleSinceNanos;
    private boolean bytesSinceIdle;
    private long headStartNanos;
    /** The connection's one timer (see "timers" below); it fires at {@link #timerAt} (System.nanoTime). */
    private ScheduledFuture<?> timer;
    private long timerAt;
    /** The shortest timeout armed on this connection so far: the timer never sleeps longer than this. */
    private long shortestSpan = Long.MAX_VALUE;
    /** HTTP/2: the latest write, so a stream is reset only after its response went out. */
    private ChannelFuture lastWrite;
    /** HTTP/2: the listener's budget of streams cancelled before their response, or null. */
    private StreamCancelBudget cancelBudget;

    public DownstreamHandler(Engine engine, ListenerConfig listener, boolean http2, boolean secure) {
        this.engine = engine;
        this.listener = listener;
        this.http2 = http2;
        this.secure = secure;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePending(); // a tunnel replaced the HTTP handlers: what was decoded but not read is dropped
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        // Added after protocol detection, the connection is already active: no channelActive follows.
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) activate();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activate();
        ctx.fireChannelActive();
    }

    private void activate() {
        if (activated) return;
        activated = true;
        idleSinceNanos = System.nanoTime();
        if (!http2) {
            shortestSpan = Math.min(listener.requestHeadersTimeout().toNanos(), listener.idleTimeout().toNanos());
            armDeadline(idleSinceNanos + listener.idleTimeout().toNanos(), listener.idleTimeout().toNanos());
        } else if (!listener.requestTimeout().isZero()) {
            armDeadline(idleSinceNanos + listener.requestTimeout().toNanos(), listener.requestTimeout().toNanos());
        }
        read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!readWanted || (pending != null && !pending.isEmpty())) {
            if (pending == null) pending = new ArrayDeque<>(4);
            pending.add(msg);
            return;
        }
        deliver(msg);
    }

    private void deliver(Object msg) {
        readWanted = false;
        readDepth++;
        try {
            if (msg instanceof HttpRequest req) {
                onRequest(req);
            } else if (msg instanceof HttpContent content) {
                if (exchange != null) {
                    exchange.onRequestContent(content);
                } else {
                    content.release();
                    if (redirected) { // the end of a request answered with a redirect: on to the next one
                        if (content instanceof LastHttpContent) redirected = false;
                        read();
                    }
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
        } finally {
            readDepth--;
        }
    }

    /**
     * With auto-read off, one read() may end in a read-complete with no message (the bytes that
     * arrived did not finish a message): ask again until a message comes.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (readWanted && !tunnel) readNext();
        ctx.fireChannelReadComplete();
    }

    private void onRequest(HttpRequest req) {
        if (exchange != null) {
            // Cannot happen with explicit reads; if it does, the connection is out of step.
            ReferenceCountUtil.release(req);
            ctx.close();
            return;
        }
        bytesSinceIdle = false;
        Snapshot snap = engine.snapshot();
        if (snap != viewSnapshot) { // a new generation: look the listener up once for its requests
            view = snap.listener(listener);
            viewSnapshot = snap;
        }
        if (client == null) {
            client = (InetSocketAddress) remoteAddress();
            clientIp = RequestContext.ipOf(client);
        }
        ListenerConfig settings = view.config();
        if (settings.redirectToHttps() != null) {
            redirectToHttps(req, settings);
            return;
        }
        // A client-sent X-Forwarded-Client-Cert is always dropped; ours is set from the verified certificate.
        ClientCertificate cert = secure ? ClientCertificate.of(ctx.channel()) : null;
        ClientCertificate.apply(req.headers(), cert);
        exchange = new ProxyExchange(engine, snap, view, this, req, client, clientIp);
        exchange.context().connection(ClientCertificate.connection(ctx.channel()));
        if (cert != null) exchange.context().peerCertificate(cert.certificate());
        if (view.removed()) {
            closeAfterResponse = true; // the listener was removed by a reload: serve this one, then close
        }
        exchange.start();
    }

    /**
     * A plain listener with redirectToHttps answers 308 to the https URL. A request body is not read: the
     * client sends it again to the new location, so the connection closes after the answer.
     */
    private void redirectToHttps(HttpRequest req, ListenerConfig settings) {
        boolean complete = req instanceof LastHttpContent;
        boolean body = !complete && (HttpUtil.getContentLength(req, 0L) > 0 || HttpUtil.isTransferEncodingChunked(req));
        boolean keepAlive = !http2 && !body && HttpUtil.isKeepAlive(req) && !closeAfterResponse;
        FullHttpResponse res = HttpsRedirect.response(ctx.alloc(), req, settings.redirectToHttps(), settings.address().host());
        ReferenceCountUtil.release(req);
        if (!http2 && !keepAlive) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ChannelFuture f = ctx.writeAndFlush(res).addListener(WRITE_FAILURE);
        if (http2) {
            if (!complete) f.addListener(ChannelFutureListener.CLOSE); // resets the stream whose body we do not want
        } else if (keepAlive) {
            idleSinceNanos = System.nanoTime();
            bytesSinceIdle = false;
            redirected = true;
            armDeadline(idleSinceNanos + listener.idleTimeout().toNanos(), listener.idleTimeout().toNanos());
            read();
        } else {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private Object remoteAddress() {
        Channel ch = ctx.channel();
        return http2 && ch.parent() != null ? ch.parent().remoteAddress() : ch.remoteAddress();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof RequestValidator.BodyError err) {
            if (exchange != null) exchange.onRequestBodyError(err.status().code(), err.error(), err.message());
            else ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && ctx.channel().isWritable()) exchange.onDownstreamWritable();
        ctx.fireChannelWritabilityChanged();
    }

    /** HTTP/2: counts this stream against {@code budget} if the client cancels it before its response. */
    void cancelBudget(StreamCancelBudget budget) {
        this.cancelBudget = budget;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        releasePending();
        ProxyExchange ex = exchange;
        exchange = null;
        Channel parent = ctx.channel().parent();
        if (ex != null && lastWrite == null && cancelBudget != null && parent != null && parent.isActive()) {
            cancelBudget.cancelled(parent); // reset by the client while its request was being served
        }
        if (ex != null) ex.onDownstreamClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // I/O errors (reset by peer and the like) are the client's business: debug. Anything else is
        // a bug of ours and must be seen. Either way the connection ends; channelInactive cleans up.
        if (cause instanceof java.io.IOException) {
            if (log.isDebugEnabled()) log.debug("downstream {} failed: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("downstream {} closed after an internal error", ctx.channel(), cause);
        }
        ctx.close();
    }

    // ---------------------------------------------------------------- Downstream

    @Override
    public Channel channel() {
        return ctx.channel();
    }

    @Override
    public EventLoop loop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public ListenerConfig listener() {
        return listener;
    }

    @Override
    public boolean http2() {
        return http2;
    }

    @Override
    public boolean secure() {
        return secure;
    }

    @Override
    public void read() {
        readWanted = true;
        if (readDepth >= MAX_READ_DEPTH) {
            ctx.executor().execute(this::readNext);
        } else {
            readNext();
        }
    }

    /** The next message for a read that is still wanted: a pending one, else one from the socket. */
    private void readNext() {
        if (!readWanted) return;
        Object next = pending != null ? pending.poll() : null;
        if (next != null) {
            deliver(next);
        } else {
            ctx.read();
        }
    }

    private void releasePending() {
        if (pending == null) return;
        for (Object msg; (msg = pending.poll()) != null; ) ReferenceCountUtil.release(msg);
    }

    @Override
    public ChannelFuture write(Object msg) {
        if (!http2) {
            // No promise to make and complete per write: a failure reaches exceptionCaught, which closes
            // the connection as WRITE_FAILURE would. (HTTP/2 keeps the future: a reset waits for the last write.)
            return ctx.write(msg, ctx.voidPromise());
        }
        ChannelFuture f = ctx.write(msg).addListener(WRITE_FAILURE);
        lastWrite = f;
        return f;
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public boolean closeAfterResponse() {
        return closeAfterResponse;
    }

    @Override
    public void exchangeDone(ProxyExchange ex, boolean reusable) {
        if (exchange != ex) return;
        exchange = null;
        if (tunnel) return;
        if (http2) {
            if (!reusable && ctx.channel().isActive()) {
                // Closing the stream resets it. The end of the response may still wait in HTTP/2 flow
                // control (a stream takes no ByteBuf, so an empty write would not queue behind it):
                // reset only once the last response frame is written, or the client loses the body.
                ChannelFuture last = lastWrite != null ? lastWrite : ctx.newSucceededFuture();
                ctx.flush();
                last.addListener(f -> ctx.close());
            }
            return;
        }
        if (reusable && !closeAfterResponse && ctx.channel().isActive()) {
            idleSinceNanos = System.nanoTime();
            armDeadline(idleSinceNanos + listener.idleTimeout().toNanos(), listener.idleTimeout().toNanos());
            read();
        } else {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void becomeTunnel(Channel upstream) {
        tunnel = true;
        cancelTimer();
        Tunnel.splice(ctx.channel(), upstream);
    }

    /** Graceful shutdown: finish the request in flight, then close; close at once when idle. */
    void drain() {
        closeAfterResponse = true;
        if (exchange == null && !tunnel) ctx.close();
    }

    /**
     * The listener was retired by a reload: the connection serves the request in flight, or its next one, and
     * then closes (an idle connection is not cut: its client may be sending a request at this very moment).
     */
    void closeAfterNextResponse() {
        closeAfterResponse = true;
    }

    /**
     * Bytes arrived. With no request in flight they begin a new request head: its headers timeout
     * starts now (not when the connection went idle). Bytes during an exchange are its body.
     */
    void bytesArrived() {
        if (exchange != null || bytesSinceIdle || tunnel) return;
        bytesSinceIdle = true;
        headStartNanos = System.nanoTime();
        if (activated) armDeadline(headStartNanos + listener.requestHeadersTimeout().toNanos(), listener.requestHeadersTimeout().toNanos());
    }

    // ---------------------------------------------------------------- timers

    /*
     * One timer per connection (per stream on HTTP/2) serves every deadline: the connection's own
     * between requests (headers and idle timeouts) and those of the exchange in flight (request,
     * route, per-try and response idle timeouts), which the exchange keeps and runs itself: the timer
     * calls ProxyExchange.onTimer, which returns when it must fire next. Scheduling and cancelling a
     * Netty timer per request costs a priority-queue insert and removal each time, so the timer is
     * only moved when a deadline comes before it. When it fires it handles what is due and sleeps
     * until the next deadline, but never longer than the shortest timeout seen on the connection:
     * any deadline armed later (now + a timeout) then falls after it, and no request reschedules it.
     */

    @Override
    public void armDeadline(long deadlineNanos, long spanNanos) {
        if (spanNanos < shortestSpan) shortestSpan = spanNanos;
        if (timer != null) {
            if (timerAt - deadlineNanos <= 0) return;
            timer.cancel(false);
        }
        long delay = Math.max(deadlineNanos - System.nanoTime(), MIN_TIMER_DELAY_NANOS);
        timerAt = System.nanoTime() + delay;
        timer = ctx.executor().schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void onTimer() {
        timer = null;
        if (!ctx.channel().isActive() || tunnel) return;
        long now = System.nanoTime();
        ProxyExchange ex = exchange;
        if (ex != null) {
            // The exchange owns its deadlines (request, route, per-try and response idle timeouts).
            long due = ex.onTimer(now);
            // An exchange ended by a timeout left the connection closing or, if reusable, armed for idle.
            if (exchange == ex && due != 0) armDeadline(Math.min(due, now + shortestSpan), shortestSpan);
            return; // no deadline while a response streams: exchangeDone arms the idle one
        }
        if (http2) return;
        long next;
        if (bytesSinceIdle) {
            long due = headStartNanos + listener.requestHeadersTimeout().toNanos();
            if (now - due >= 0) {
                FullHttpResponse res = ErrorResponse.create(ctx.alloc(), HttpResponseStatus.REQUEST_TIMEOUT,
                        "request_timeout", "request headers not received within " + listener.requestHeadersTimeout().toMillis() + "ms", null);
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            next = due;
        } else {
            long due = idleSinceNanos + listener.idleTimeout().toNanos();
            if (now - due >= 0) {
                ctx.close();
                return;
            }
            next = due;
        }
        armDeadline(Math.min(next, now + shortestSpan), shortestSpan);
    }
}
