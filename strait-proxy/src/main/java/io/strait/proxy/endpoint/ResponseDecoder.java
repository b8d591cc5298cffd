package io.strait.proxy.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;

/**
 * The HTTP/1.1 upstream connection's response decoder: it checks the raw response bytes with a
 * {@link RawResponseScanner} and builds the messages the exchange reads ({@link HttpResponse}, {@link
 * io.netty.handler.codec.http.HttpContent} pieces, a {@link LastHttpContent} with any trailers) from the positions
 * the scanner found, so each byte of a head is looked at once (Netty's {@code HttpResponseDecoder} would parse
 * the checked bytes again). Body pieces are slices of the read buffers, never copies; a head or trailer section
 * split over reads is gathered in one buffer, up to {@link RawResponseScanner#MAX_SECTION_BYTES}.
 *
 * <p>The messages of a read are passed on after the whole read was checked, as Netty's decoders do: a response
 * followed by bytes nobody asked for is delivered, then {@link Rejected} is fired (for the {@link
 * UpstreamConnection} to close the connection) before the exchange could hand the connection to another
 * request. On a violation the messages decoded from the bytes before it are passed on, then {@link Rejected},
 * and all later input is dropped. One instance per connection.
 */
final class ResponseDecoder extends ChannelInboundHandlerAdapter implements RawResponseScanner.Events {

    /** Fired down the pipeline when the upstream's bytes break the framing rules; {@code reason} is a fixed text. */
    record Rejected(String reason) {}

    private final RawResponseScanner scanner = new RawResponseScanner(this);
    /** Messages decoded from the current read, passed on once it was checked to its end. */
    private final ArrayList<Object> out = new ArrayList<>(4);
    /** The bytes being checked (the read, or the gathered section with the read appended). */
    private ByteBuf in;
    /** A head or trailer section not complete at the end of a read: its bytes from index 0. */
    private ByteBuf section;
    private boolean discarding;
    /** A message was passed on since the last read completed. */
    private boolean passedOn;

    /** The request in flight's headers: its {@code Upgrade} is looked up only when a 101 answers it. */
    private HttpHeaders requestHeaders;
    private final java.util.function.BooleanSupplier upgradeQuery = this::upgradeRequested;

    /** The request {@code req} is being written: its response may now arrive. */
    void requestSent(HttpRequest req) {
        requestHeaders = req.headers();
        scanner.requestSent(req.method().equals(HttpMethod.HEAD), upgradeQuery);
    }

    /** Whether the request in flight asked for a protocol upgrade ({@code Upgrade}). */
    private boolean upgradeRequested() {
        return requestHeaders != null && requestHeaders.contains(HttpHeaderNames.UPGRADE);
    }

    /** Whether a 101 {@code res} switches to one of the protocols the request asked for (RFC 9110 7.8). */
    boolean upgradeAsked(HttpResponse res) {
        String to = res.headers().get(HttpHeaderNames.UPGRADE);
        String upgrade = requestHeaders == null ? null : requestHeaders.get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || to == null) return false;
        for (String p : upgrade.split(",")) {
            if (p.trim().equalsIgnoreCase(to.trim())) return true;
        }
        return false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (discarding) {
            buf.release();
            return;
        }
        ByteBuf data = buf;
        if (section != null) {
            // the section's earlier bytes first: the scan goes on from where the last read ended
            data = section;
            section = null;
            int from = data.writerIndex();
            data.writeBytes(buf);
            buf.release();
            data.readerIndex(from);
        }
        boolean failed;
        in = data;
        try {
            failed = scanner.scan(data) >= 0;
            if (!failed && scanner.inSection()) failed = !keepSection(ctx, data);
        } finally {
            in = null;
            data.release();
        }
        passOn(ctx);
        if (failed) {
            discarding = true;
            ctx.fireUserEventTriggered(new Rejected(scanner.problem()));
        }
    }

    /** Keeps the unfinished section's bytes for the next read; false when it is already too large. */
    private boolean keepSection(ChannelHandlerContext ctx, ByteBuf data) {
        int start = scanner.sectionStart();
        int length = data.writerIndex() - start;
        if (length > RawResponseScanner.MAX_SECTION_BYTES) {
            scanner.sectionTooLarge();
            return false;
        }
        section = ctx.alloc().buffer(Math.max(1024, length * 2));
        section.writeBytes(data, start, length);
        scanner.shift(-start);
        return true;
    }

    private void passOn(ChannelHandlerContext ctx) {
        int n = out.size();
        if (n == 0) return;
        passedOn = true;
        for (int i = 0; i < n; i++) ctx.fireChannelRead(out.get(i));
        out.clear();
    }

    // --- the scanner's events: messages built from the bytes being checked ---------------------------

    @Override
    public void head(int next) {
        out.add(ResponseHeads.build(in, scanner, next));
    }

    @Override
    public void body(int from, int to, boolean last) {
        ByteBuf piece = in.retainedSlice(from, to - from);
        out.add(last ? new DefaultLastHttpContent(piece) : new DefaultHttpContent(piece));
    }

    @Override
    public void end() {
        out.add(scanner.trailerFields() == 0 ? LastHttpContent.EMPTY_LAST_CONTENT : ResponseHeads.trailers(in, scanner));
    }

    @Override
    public void passedThrough(int from, int to) {
        out.add(in.retainedSlice(from, to - from));
    }

    // --- the connection's other events ------------------------------------------------------------------

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // As Netty's decoders: a read that made no message (part of a head) asks for more even with auto-read off.
        if (!passedOn && !ctx.channel().config().isAutoRead()) ctx.read();
        passedOn = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseSection();
        // a body without a length ends with the connection; any other unfinished response is a reset
        if (!discarding && scanner.untilClose()) {
            discarding = true;
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseSection();
    }

    private void releaseSection() {
        if (section != null) {
            section.release();
            section = null;
        }
    }
}
