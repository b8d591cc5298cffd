package io.strait.proxy.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.strait.config.model.ListenerConfig;
import io.strait.proxy.observe.GaugeFamily;
import io.strait.proxy.core.Engine;
import io.strait.proxy.tls.CertificateSource;
import io.strait.proxy.tls.TlsTerminator;
import io.strait.proxy.transport.Transport;
import java.net.InetSocketAddress;

/** One bound listener and the connections it accepted (for graceful draining). */
public final class ListenerServer {
    /** Accept queue: generous so a burst of new connections is not refused while the loop is busy. */
    private static final int BACKLOG = 4096;
    /** {@code strait_http2_cancelled_streams_total{listener,budget}}: see {@link StreamCancelBudget}. */
    public static final String CANCELLED_STREAMS = "strait_http2_cancelled_streams_total";

    private final ListenerConfig config;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel server;
    private TlsTerminator tls;
    private GaugeFamily.Registration cancelMetric;

    public ListenerServer(ListenerConfig config) {
        this.config = config;
    }

    public ListenerConfig config() {
        return config;
    }

    /** Binds synchronously (startup only, never on an event loop); throws when the port is taken. */
    public void bind(Engine engine, EventLoopGroup group, Transport transport, long drainMillis) throws InterruptedException {
        bind(engine, group, transport, drainMillis, null);
    }

    /** As {@link #bind(Engine, EventLoopGroup, Transport, long)}; {@code certificates} (nullable) replaces the default certificate's files. */
    public void bind(Engine engine, EventLoopGroup group, Transport transport, long drainMillis, CertificateSource certificates)
            throws InterruptedException {
        if (config.tls() != null) tls = TlsTerminator.start(config, () -> engine.snapshot().listener(config.name()), certificates);
        ChannelInit init = new ChannelInit(engine, config, drainMillis, tls);
        StreamCancelBudget budget = init.cancelBudget();
        cancelMetric = engine.metrics().callbackCounter(CANCELLED_STREAMS,
                "HTTP/2 streams the client cancelled before their response, by whether the listener's budget allowed them",
                "listener", "budget").register("listener:" + config.name(), sink -> {
                    sink.sample(budget.withinBudget(), config.name(), "within");
                    sink.sample(budget.overBudget(), config.name(), "over");
                });
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        var gauge = engine.metrics().downstreamConnections(config.name());
                        gauge.inc();
                        ch.closeFuture().addListener(f -> gauge.dec());
                        init.init(ch);
                    }
                });
        try {
            server = b.bind(config.address().host(), config.address().port()).sync().channel();
        } catch (Exception e) { // Netty's sync() rethrows the bind's IOException unchecked
            if (tls != null) tls.close();
            if (e instanceof InterruptedException ie) throw ie;
            if (e instanceof java.io.IOException) throw new CannotBind(config.address(), e);
            throw (RuntimeException) e;
        }
    }

    /** The address it is bound to, or null before {@link #bind}. */
    public InetSocketAddress boundAddress() {
        return server == null ? null : (InetSocketAddress) server.localAddress();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Retires the listener after a reload removed or changed it: it stops accepting, an HTTP/1.1
     * connection closes after its next response and an HTTP/2 one gets GOAWAY and closes when its open
     * streams are done. Whatever is left at the drain deadline is closed by {@link #closeAll()}.
     */
    public void retire() {
        stopAccepting();
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> {
                DownstreamHandler h1 = ch.pipeline().get(DownstreamHandler.class);
                if (h1 != null) h1.closeAfterNextResponse();
                else if (ch.pipeline().get(io.netty.handler.codec.http2.Http2FrameCodec.class) != null) ch.close(); // GOAWAY
                // still in its TLS handshake or protocol detection: left to the drain deadline
            });
        }
    }

    /** Stops accepting new connections. */
    public void stopAccepting() {
        if (server != null && server.isOpen()) server.close().syncUninterruptibly();
        if (tls != null) tls.close();
    }

    /** The listener's certificates, or null for a plain listener. */
    public TlsTerminator tls() {
        return tls;
    }

    /** Asks every connection to finish its current request and close (HTTP/2: GOAWAY, then close). */
    public void drain() {
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> {
                DownstreamHandler h1 = ch.pipeline().get(DownstreamHandler.class);
                if (h1 != null) h1.drain();
                else ch.close(); // HTTP/2: the codec sends GOAWAY and waits for open streams
            });
        }
    }

    public int openConnections() {
        return connections.size();
    }

    public void closeAll() {
        if (cancelMetric != null) cancelMetric.close();
        if (tls != null) tls.close();
        connections.close();
    }
}
