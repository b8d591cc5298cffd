package io.strait.proxy.filter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.Charset;

/**
 * A whole request or response body a filter asked for ({@link BodyAccess}). The exchange owns it and
 * releases it once; a filter reads {@link #content()} during its callback only (never retains or
 * releases it) and may {@link #replace} it, handing the new buffer's ownership to this body.
 */
public final class MessageBody {
    private ByteBuf content;
    private boolean replaced;

    /** Takes ownership of {@code content}. */
    public MessageBody(ByteBuf content) {
        this.content = content;
    }

    /** The bytes, readable from their reader index; valid until the callback returns or the body is replaced. */
    public ByteBuf content() {
        return content;
    }

    public int length() {
        return content.readableBytes();
    }

    public String text(Charset charset) {
        return content.toString(charset);
    }

    /** Replaces the body: {@code next} now belongs to this body; the old content is released. */
    public void replace(ByteBuf next) {
        ByteBuf old = content;
        content = next;
        replaced = true;
        if (old != next) old.release();
    }

    public void replace(byte[] next) {
        replace(Unpooled.wrappedBuffer(next));
    }

    /** Whether a filter replaced the body (its length header must then be set again). */
    public boolean replaced() {
        return replaced;
    }

    /**
     * Hands the content to the caller (the exchange, writing it on), who then owns it; the body is empty after.
     */
    public ByteBuf take() {
        ByteBuf c = content;
        content = Unpooled.EMPTY_BUFFER;
        return c;
    }

    /** Releases the content (the exchange, when the body goes nowhere). */
    public void release() {
        ByteBuf c = content;
        content = Unpooled.EMPTY_BUFFER;
        c.release();
    }
}
