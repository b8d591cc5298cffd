package io.strait.proxy.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits behind the TLS handler for the handshake, then builds the pipeline for the protocol ALPN chose:
 * {@code h2} the HTTP/2 one, {@code http/1.1} the HTTP/1.1 one, nothing (a client without ALPN) the
 * plain listener's detection (HTTP/2 preface or HTTP/1.1). A failed handshake, plaintext on the TLS
 * port or a handshake timeout closes the connection, logged at debug only: that is the client's problem.
 */
public final class TlsHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TlsHandshakeHandler.class);

    /** Where the connection goes after the handshake. */
    public interface Protocols {
        void http2(ChannelPipeline p);

        void http1(ChannelPipeline p);

        /** No protocol negotiated: look at the first bytes. */
        void detect(ChannelPipeline p);

        boolean http2Enabled();

        boolean http1Enabled();
    }

    private final Protocols protocols;
    /** Decrypted bytes that came before the pipeline was ready (none in practice; kept in order if so). */
    private ArrayDeque<Object> early;
    private boolean done;

    public TlsHandshakeHandler(Protocols protocols) {
        this.protocols = protocols;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read(); // auto-read is off: ask for the ClientHello
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (early == null) early = new ArrayDeque<>();
        early.add(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (done) ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof SslHandshakeCompletionEvent hs)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (!hs.isSuccess()) {
            if (log.isDebugEnabled()) log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), hs.cause().toString());
            ctx.close();
            return;
        }
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        String alpn = ssl == null ? null : ssl.applicationProtocol();
        ChannelPipeline p = ctx.pipeline();
        if ("h2".equals(alpn) && protocols.http2Enabled()) {
            protocols.http2(p);
        } else if ("http/1.1".equals(alpn) && protocols.http1Enabled()) {
            protocols.http1(p);
        } else if (alpn == null && (protocols.http1Enabled() || protocols.http2Enabled())) {
            protocols.detect(p);
        } else {
            if (log.isDebugEnabled()) log.debug("TLS client {} negotiated {}, which this listener does not serve", ctx.channel().remoteAddress(), alpn);
            ctx.close();
            return;
        }
        done = true;
        p.remove(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (early == null) return;
        // Hand what arrived early to the new pipeline, in order.
        Object m;
        boolean any = false;
        while ((m = early.poll()) != null) {
            if (ctx.channel().isActive()) {
                ctx.fireChannelRead(m);
                any = true;
            } else {
                ReferenceCountUtil.release(m);
            }
        }
        if (any) ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (log.isDebugEnabled()) log.debug("TLS connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
