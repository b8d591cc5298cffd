package io.strait.filters.transform;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * gzip for response bodies the filter changes: inflated with a bound (a small body may inflate to gigabytes: a
 * gzip bomb stops at the limit, having used at most the limit's memory), deflated again after the change. Memory
 * only, no I/O: bodies are at most {@code maxSize}, so the work is bounded on the event loop.
 */
final class Gzip {
    /** The inflate step: small enough to stop soon past the limit. */
    private static final int CHUNK = 8192;

    private Gzip() {}

    /**
     * The decoded bytes of {@code gzipped} (read from its reader index, which does not move), or null when they would
     * be longer than {@code limit}.
     *
     * @throws IOException when the data is not gzip (or is cut short)
     */
    static byte[] inflate(ByteBuf gzipped, long limit) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteBufInputStream(gzipped.duplicate()), CHUNK)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(gzipped.readableBytes() * 4, (int) Math.min(limit, Integer.MAX_VALUE - 8)));
            byte[] buf = new byte[CHUNK];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > limit) return null;
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    static byte[] deflate(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, CHUNK)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new IllegalStateException("gzip to memory failed", e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }
}
