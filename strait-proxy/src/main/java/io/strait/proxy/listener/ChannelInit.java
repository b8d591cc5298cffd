package io.strait.proxy.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.ListenerConfig.Protocol;
import io.strait.proxy.core.Engine;
import io.strait.proxy.tls.HstsHandler;
import io.strait.proxy.tls.TlsHandshakeHandler;
import io.strait.proxy.tls.TlsTerminator;
import java.util.concurrent.TimeUnit;

/** Builds the pipeline of each accepted connection. */
final class ChannelInit {
    /** nginx's http2_max_concurrent_streams default: enough for browsers, bounded against stream floods. */
    private static final int H2_MAX_CONCURRENT_STREAMS = 128;
    /** 1 MiB stream window: large downloads and uploads keep the pipe full on fast links without much memory. */
    private static final int H2_INITIAL_WINDOW = 1024 * 1024;

    private final Engine engine;
    private final ListenerConfig listener;
    private final long drainMillis;
    /** The listener's certificates, or null for a plain listener. */
    private final TlsTerminator tls;
    /** Streams cancelled before their response, over all of this listener's HTTP/2 connections. */
    private final StreamCancelBudget cancelBudget = new StreamCancelBudget();

    ChannelInit(Engine engine, ListenerConfig listener, long drainMillis, TlsTerminator tls) {
        this.engine = engine;
        this.listener = listener;
        this.drainMillis = drainMillis;
        this.tls = tls;
    }

    /**
     * The listener's settings for a new connection: those of the current config generation (a
     * reload may have changed timeouts and limits), or the original ones once a reload removed it.
     * Address and protocols stay as bound at start.
     */
    ListenerConfig listener() {
        ListenerConfig current = engine.snapshot().listener(listener.name());
        return current != null ? current : listener;
    }

    StreamCancelBudget cancelBudget() {
        return cancelBudget;
    }

    boolean h2cEnabled() {
        return listener.protocols().contains(Protocol.H2C);
    }

    boolean http1Enabled() {
        return listener.protocols().contains(Protocol.HTTP1);
    }

    void init(Channel ch) {
        if (tls != null && listener().tls() != null && listener().tls().allowPlaintext()) {
            // TLS and plaintext on one port (a mesh's PERMISSIVE mode): the first byte tells them apart
            ch.pipeline().addLast("sniff", new TlsSniffer(this));
        } else if (tls != null) {
            addTls(ch.pipeline());
        } else {
            detectOrHttp1(ch.pipeline(), false);
        }
    }

    /** TLS first; the handshake (ClientHello included) gets the request headers timeout. */
    void addTls(ChannelPipeline p) {
        p.addLast("tls", tls.newHandler(listener().requestHeadersTimeout().toMillis()));
        p.addLast("alpn", new TlsHandshakeHandler(new AfterHandshake()));
    }

    /** A plaintext connection on a TLS listener that allows it: HTTP/1.1, or h2c by its preface. */
    void addPlaintext(ChannelPipeline p) {
        detectOrHttp1(p, false);
    }

    private void detectOrHttp1(ChannelPipeline p, boolean secure) {
        if (h2cEnabled()) {
            p.addLast("detect", new ProtocolDetector(this, secure));
        } else {
            configureHttp1(p, secure);
        }
    }

    /** The protocol ALPN chose (or detection, when the client offered none), over TLS. */
    private final class AfterHandshake implements TlsHandshakeHandler.Protocols {
        @Override
        public void http2(ChannelPipeline p) {
            configureHttp2(p, true);
        }

        @Override
        public void http1(ChannelPipeline p) {
            configureHttp1(p, true);
        }

        @Override
        public void detect(ChannelPipeline p) {
            // No ALPN: HTTP/1.1, or HTTP/2 with prior knowledge; detection needs reads, auto-read is off.
            detectOrHttp1(p, true);
            if (p.get(ProtocolDetector.class) != null) p.channel().read();
        }

        @Override
        public boolean http2Enabled() {
            return h2cEnabled();
        }

        @Override
        public boolean http1Enabled() {
            return ChannelInit.this.http1Enabled();
        }
    }

    /** The Strict-Transport-Security handler of a TLS listener with hsts, or null. */
    private static HstsHandler hsts(ListenerConfig l, boolean secure) {
        if (!secure || l.tls() == null || l.tls().hsts() == null) return null;
        return new HstsHandler(l.tls().hsts().headerValue());
    }

    void configureHttp1(ChannelPipeline p, boolean secure) {
        ListenerConfig listener = listener();
        DownstreamHandler handler = new DownstreamHandler(engine, listener, false, secure);
        p.addLast("guard", RequestValidator.newGuard(listener, handler));
        p.addLast("codec", new HttpServerCodec(RequestValidator.decoderConfig(listener)));
        HstsHandler hsts = hsts(listener, secure);
        if (hsts != null) p.addLast("hsts", hsts);
        p.addLast("validator", new RequestValidator(listener, false, engine.unroutedMetrics()));
        p.addLast("proxy", handler);
    }

    void configureHttp2(ChannelPipeline p, boolean secure) {
        ListenerConfig listener = listener();
        HstsHandler hsts = hsts(listener, secure);
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(H2_MAX_CONCURRENT_STREAMS)
                        .initialWindowSize(H2_INITIAL_WINDOW)
                        .maxHeaderListSize(listener.maxHeaderSize()))
                .gracefulShutdownTimeoutMillis(drainMillis)
                .validateHeaders(true)
                .build();
        // requestHeadersTimeout, as on HTTP/1.1: a header block (or the preface) must arrive whole in time
        p.addLast("h2head", new Http2HeadTimeout(listener.requestHeadersTimeout().toMillis()));
        p.addLast("h2", codec);
        p.addLast("h2idle", new IdleStateHandler(0, 0, listener.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast("h2idleClose", new H2IdleClose(codec));
        p.addLast("h2mux", new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.config().setAutoRead(false);
                stream.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(true, true));
                if (hsts != null) stream.pipeline().addLast("hsts", hsts);
                stream.pipeline().addLast("validator", new RequestValidator(listener, true, engine.unroutedMetrics()));
                DownstreamHandler handler = new DownstreamHandler(engine, listener, true, secure);
                handler.cancelBudget(cancelBudget);
                stream.pipeline().addLast("proxy", handler);
            }
        }));
        p.channel().config().setAutoRead(true);
    }

    /** Closes an HTTP/2 connection that had no frames for the idle timeout and has no open stream. */
    @ChannelHandler.Sharable
    private static final class H2IdleClose extends ChannelInboundHandlerAdapter {
        private final Http2FrameCodec codec;

        H2IdleClose(Http2FrameCodec codec) {
            this.codec = codec;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && codec.connection().numActiveStreams() == 0) {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
