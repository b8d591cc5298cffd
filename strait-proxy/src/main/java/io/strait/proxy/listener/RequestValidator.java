package io.strait.proxy.listener;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.strait.config.model.ListenerConfig;

/** STUB until the strict branch merges. */
public final class RequestValidator extends ChannelInboundHandlerAdapter {
    public record BodyError(int status, String error, String message) {}
    public RequestValidator(ListenerConfig listener, boolean http2) {}
    public static HttpDecoderConfig decoderConfig(ListenerConfig l) {
        return new HttpDecoderConfig().setMaxInitialLineLength(l.maxRequestLineLength()).setMaxHeaderSize(l.maxHeaderSize());
    }
}
