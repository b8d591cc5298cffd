package io.strait.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The server side of a downstream HTTP/1.1 connection: Netty's request decoder and response encoder,
 * paired as in Netty's {@code HttpServerCodec} (each response knows the method of the request it
 * answers, so a response to HEAD carries no body and a 2xx to CONNECT no Transfer-Encoding), with
 * the header block written by {@link HeaderBlock}.
 *
 * <p>Interim (1xx) responses other than 101 do not consume a request: the final response that
 * follows them does. (Netty's codec pairs every response, interim ones included.)
 */
public final class Http1ServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
    /** The methods of requests decoded and not yet answered, oldest first (pipelining). */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);
    /** A request had both Transfer-Encoding and Content-Length: close after answering it. */
    private boolean closeAfterResponse;

    public Http1ServerCodec(HttpDecoderConfig config) {
        init(new RequestDecoder(config), new ResponseEncoder());
    }

    private final class RequestDecoder extends HttpRequestDecoder {
        RequestDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before, size = out.size(); i < size; i++) {
                if (out.get(i) instanceof HttpRequest req) methods.add(req.method());
            }
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            super.handleTransferEncodingChunkedWithContentLength(message);
            closeAfterResponse = true;
        }
    }

    private final class ResponseEncoder extends HttpResponseEncoder {
        /** The method of the request the response being written answers. */
        private HttpMethod method;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (closeAfterResponse && msg instanceof LastHttpContent) {
                closeAfterResponse = false;
                promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
            }
            super.write(ctx, msg, promise);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse res) {
            int code = res.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                method = null;
                return super.isContentAlwaysEmpty(res);
            }
            method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(res);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse res, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method) && res.status().codeClass() == HttpStatusClass.SUCCESS) {
                // A tunnel follows a 2xx to CONNECT: no body framing (RFC 9110 9.3.6).
                res.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(res, isAlwaysEmpty);
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            HeaderBlock.write(headers, buf);
        }
    }
}
