package io.strait.proxy.admin;

import static io.strait.proxy.admin.AdminReplies.error;
import static io.strait.proxy.admin.AdminReplies.json;
import static io.strait.proxy.admin.AdminReplies.send;
import static io.strait.proxy.admin.AdminReplies.text;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.strait.config.model.AdminConfig;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.PathPolicy;
import io.strait.config.model.TlsConfig;
import io.strait.proxy.observe.trace.TracesJson;
import io.strait.proxy.tls.TlsTerminator;
import java.util.Objects;
import java.util.Set;
import io.strait.proxy.core.ApplyResult;
import io.strait.proxy.core.ConfigFormat;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.dashboard.Dashboard;
import io.strait.proxy.transport.Transport;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: {@code GET /ready}, {@code /metrics}, {@code /config}, {@code /clusters}, {@code PUT /config}
 * and {@code POST /reload}, and the dashboard ({@code GET /ui}, {@code /stats/history}, {@code /errors}: {@link Dashboard}). Methods are checked on every path (405 with {@code Allow}); the writes need the
 * admin token or a loopback admin listener ({@link AdminAccess}); a config document is parsed, checked and
 * applied on the control thread, never on the event loop. Loopback by default.
 */
public final class AdminServer {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** An admin connection with nothing read or written for this long is closed: admin clients are scripts and scrapers. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** A TLS client gets this long for its handshake (ClientHello included), as a listener's request headers timeout. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** The 404's message. */
    static final String ENDPOINTS = "admin endpoints: GET /ready, GET /metrics, GET and PUT /config, GET /clusters, POST /reload,"
            + " GET /traces, GET /traces/{traceId}, POST /logs/reopen,"
            + " GET /ui (the dashboard), GET /stats/history, GET /errors";

    private final AdminTarget server;
    private EventLoopGroup group;
    private Transport transport;
    /** The listening socket and the write access its connections get; replaced when the admin address moves. */
    private volatile Bound bound;
    /** The dashboard's page, minute of history and recent errors; started with the first bind. */
    private volatile Dashboard dashboard;

    /**
     * A listening admin socket as configured; each of its connections checks writes with {@code access}.
     *
     * @param tls its certificates, or null for plain HTTP
     */
    private record Bound(AdminConfig config, Channel channel, AdminAccess access, TlsTerminator tls) {
        void close() {
            channel.close().syncUninterruptibly();
            if (tls != null) tls.close();
        }
    }

    public AdminServer(AdminTarget server) {
        this.server = server;
    }

    /** Binds the admin API (startup); throws when the address cannot be bound or its certificates not loaded. */
    public void bind(AdminConfig config, EventLoopGroup group, Transport transport) throws InterruptedException {
        this.group = group;
        this.transport = transport;
        try {
            bound = open(config);
        } catch (io.strait.proxy.listener.CannotBind e) { // admin 127.0.0.1:9901: address already in use
            throw new IllegalStateException("admin " + e.getMessage(), e);
        }
        dashboard = Dashboard.start(server.metrics());
    }

    /**
     * Binds the admin API as configured. Whether writes need a token is decided by the address itself (loopback
     * or not) before the socket exists, and fixed for every connection it accepts.
     */
    private Bound open(AdminConfig config) throws InterruptedException {
        InetSocketAddress at = new InetSocketAddress(config.address().host(), config.address().port());
        TlsConfig tlsConfig = config.tls();
        boolean clientCertificates = tlsConfig != null && tlsConfig.clientAuth().mode() != TlsConfig.ClientAuth.Mode.NONE;
        AdminAccess access = new AdminAccess(() -> server.snapshot().config().admin().token(), at, clientCertificates);
        TlsTerminator tls = tlsConfig == null ? null : TlsTerminator.start(asListener(config), () -> current(config));
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) ch.pipeline().addLast("tls", tls.newHandler(HANDSHAKE_TIMEOUT.toMillis()));
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                                new HttpServerCodec(), new AdminGate(access),
                                new HttpObjectAggregator(AdminGate.MAX_CONFIG_BODY), new Handler());
                    }
                });
        try {
            return new Bound(config, b.bind(at).sync().channel(), access, tls);
        } catch (Exception e) { // Netty's sync() rethrows the bind's IOException unchecked
            if (tls != null) tls.close();
            if (e instanceof InterruptedException ie) throw ie;
            if (e instanceof java.io.IOException) throw new io.strait.proxy.listener.CannotBind(config.address(),
                    io.strait.proxy.listener.CannotBind.describe(e), e);
            throw (RuntimeException) e;
        }
    }

    /** The admin API as the TLS terminator sees a listener: HTTP/1.1 only. */
    private static ListenerConfig asListener(AdminConfig a) {
        return new ListenerConfig("admin", a.address(), Set.of(ListenerConfig.Protocol.HTTP1), ConfigLoader.DEFAULT_MAX_REQUEST_LINE,
                ConfigLoader.DEFAULT_MAX_HEADER_SIZE, ConfigLoader.DEFAULT_MAX_HEADER_COUNT, 0, HANDSHAKE_TIMEOUT, Duration.ZERO,
                IDLE_TIMEOUT, 0, PathPolicy.DEFAULT, a.tls(), null);
    }

    /** The running configuration's admin TLS settings while they apply to this socket (a reload may change files or CAs). */
    private ListenerConfig current(AdminConfig bound) {
        AdminConfig now = server.snapshot().config().admin();
        return Objects.equals(now.address(), bound.address()) && now.tls() != null ? asListener(now) : asListener(bound);
    }

    /** Whether moving from {@code from} to {@code to} needs a new socket: another address, or TLS switched on or off. */
    public static boolean needsMove(AdminConfig from, AdminConfig to) {
        return !Objects.equals(from.address(), to.address()) || (from.tls() == null) != (to.tls() == null);
    }

    /**
     * Binds the admin API's new address (or the same address with TLS switched on or off: the old socket closes
     * first) before a configuration switch. {@link Move#commit()} after the switch closes the old socket
     * (connections it accepted, the one asking for the move included, finish normally); {@link Move#rollback()}
     * undoes it when the configuration is refused after all.
     */
    public Move move(AdminConfig config) throws Exception {
        Bound old = bound;
        boolean sameAddress = Objects.equals(old.config().address(), config.address()) && config.address().port() != 0;
        if (sameAddress) old.close();
        try {
            return new Move(open(config), sameAddress);
        } catch (Exception e) {
            if (sameAddress) {
                try {
                    bound = open(old.config()); // listens again as before
                } catch (Exception again) {
                    log.error("admin API: cannot listen again on {}: {}", old.config().address(), again.toString());
                }
            }
            throw e;
        }
    }

    /** See {@link #move}. */
    public final class Move {
        private final Bound next;
        private final boolean oldClosed;

        private Move(Bound next, boolean oldClosed) {
            this.next = next;
            this.oldClosed = oldClosed;
        }

        public void commit() {
            Bound old = bound;
            bound = next;
            if (!oldClosed) old.close();
        }

        public void rollback() {
            next.close();
            if (!oldClosed) return;
            try {
                bound = open(bound.config());
            } catch (Exception e) {
                log.error("admin API: cannot listen again on {} after a refused configuration: {}", bound.config().address(), e.toString());
            }
        }
    }

    /** Says loudly (at startup, and when the admin API moves) when no request can change the configuration through it. */
    public void warnIfWritesRefused(AdminConfig config) {
        if (ConfigUpload.writesDisabled(bound.access())) {
            log.warn("admin API on {} is not on a loopback address and admin.token is not set: PUT /config and POST /reload"
                    + " are refused (403). Set admin.token or admin.tokenFile (or admin.tls.clientAuth) to allow them,"
                    + " or bind the admin API to 127.0.0.1.", config.address());
        }
    }

    public int port() {
        return ((InetSocketAddress) bound.channel().localAddress()).getPort();
    }

    public void close() {
        Bound b = bound;
        if (b != null) b.close();
        Dashboard d = dashboard;
        if (d != null) d.close();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.decoderResult().isSuccess()) {
                send(ctx, error(ctx, HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request"), false);
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(req.uri());
            String path = uri.path();
            HttpMethod m = req.method(); // checked by AdminGate for every path below
            switch (AdminGate.endpoint(path)) {
                case "/ready" -> {
                    boolean ok = server.ready();
                    send(ctx, text(ctx, ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            ok ? "ready\n" : "not ready\n", "text/plain; charset=utf-8"), keepAlive);
                }
                case "/metrics" -> {
                    String accept = req.headers().get(HttpHeaderNames.ACCEPT);
                    ProxyMetrics metrics = server.metrics();
                    if (metrics.jvmMetricsRegistered()) {
                        scrape(ctx, metrics, accept, keepAlive);
                    } else { // the first scrape loads the JVM metrics' classes (tens of ms): not on an event loop
                        CompletableFuture.runAsync(metrics::registerJvmMetrics)
                                .whenComplete((v, err) -> ctx.executor().execute(() -> scrape(ctx, metrics, accept, keepAlive)));
                    }
                }
                case "/config" -> {
                    if (m.equals(HttpMethod.PUT)) putConfig(ctx, req, keepAlive);
                    else send(ctx, json(ctx, HttpResponseStatus.OK, ConfigView.toJson(server.snapshot().config())), keepAlive);
                }
                case "/clusters" -> send(ctx, json(ctx, HttpResponseStatus.OK,
                        ClustersView.toJson(server.snapshot().clusters(), server.pools())), keepAlive);
                case "/reload" -> // reading and validating files is blocking work: off the event loop
                        answer(ctx, server.reloadAsync(), keepAlive, r -> json(ctx,
                                r.applied() ? HttpResponseStatus.OK : HttpResponseStatus.BAD_REQUEST,
                                ConfigView.reloadJson(r.applied(), r.applied() ? r.warnings() : r.errors(), r.generation())));
                case "/traces" -> {
                    int q = req.uri().indexOf('?');
                    TracesJson.Answer a = TracesJson.answer(server.recentTraces(), path, q < 0 ? null : req.uri().substring(q + 1));
                    send(ctx, json(ctx, HttpResponseStatus.valueOf(a.status()), a.body()), keepAlive);
                }
                case "/logs/reopen" -> // opening files is blocking work: off the event loop
                        server.reopenLogsAsync().whenComplete((r, err) -> ctx.executor().execute(() -> send(ctx, err == null
                                ? json(ctx, HttpResponseStatus.OK, r)
                                : error(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "reopen_failed", err.getMessage()), keepAlive)));
                default -> dashboard(ctx, path, keepAlive);
            }
        }

        /** The dashboard's page and data (AdminGate let only its GET paths through). */
        private void dashboard(ChannelHandlerContext ctx, String path, boolean keepAlive) {
            Dashboard.Reply r = dashboard.answer(path);
            if (r == null) {
                send(ctx, error(ctx, HttpResponseStatus.NOT_FOUND, "not_found", ENDPOINTS), keepAlive);
                return;
            }
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    ctx.alloc().buffer(r.body().length).writeBytes(r.body()));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
            if (r.contentSecurityPolicy() != null) res.headers().set("Content-Security-Policy", r.contentSecurityPolicy());
            send(ctx, res, keepAlive);
        }

        private void putConfig(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
            ConfigFormat format = ConfigUpload.format(req.headers().get(HttpHeaderNames.CONTENT_TYPE));
            String text = ConfigUpload.text(req.content());
            if (text == null) {
                long generation = server.snapshot().generation();
                send(ctx, json(ctx, HttpResponseStatus.BAD_REQUEST, ConfigUpload.refused(generation,
                        java.util.List.of(ConfigUpload.SOURCE + ": the body is not UTF-8 text"))), keepAlive);
                return;
            }
            answer(ctx, server.applyDocumentAsync(text, format, ConfigUpload.SOURCE), keepAlive, r -> r.applied()
                    ? json(ctx, HttpResponseStatus.OK, ConfigUpload.applied(r))
                    : json(ctx, HttpResponseStatus.BAD_REQUEST, ConfigUpload.refused(r.generation(), r.errors())));
        }

        /** Answers on the connection's loop once the control thread is done. */
        private void scrape(ChannelHandlerContext ctx, ProxyMetrics metrics, String accept, boolean keepAlive) {
            ByteBuf buf = ctx.alloc().buffer(8192);
            String contentType;
            try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
                contentType = metrics.scrape(out, accept);
            } catch (IOException | RuntimeException e) {
                buf.release();
                send(ctx, error(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "metrics_failed", e.getMessage()), false);
                return;
            }
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, buf);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            send(ctx, res, keepAlive);
        }

        private void answer(ChannelHandlerContext ctx, CompletableFuture<ApplyResult> work, boolean keepAlive,
                java.util.function.Function<ApplyResult, FullHttpResponse> reply) {
            work.whenComplete((r, err) -> ctx.executor().execute(() -> {
                if (err != null) {
                    log.error("admin: applying a configuration failed: {}", err.toString());
                    send(ctx, error(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "reload_failed",
                            "the configuration could not be applied; the running one stays (see the log)"), false);
                } else {
                    send(ctx, reply.apply(r), keepAlive);
                }
            }));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) ctx.close();
            else ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
