package io.strait.filters.transform;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Per-thread byte arrays for a body being transformed: the bytes read ({@link #input}) and the bytes written
 * ({@link #output}), reused from one body to the next on the same event loop instead of two or three new arrays
 * of the body's size each time (at tens of thousands of bodies a second those arrays stream through the CPU's
 * caches and the young generation). Valid only during the filter callback that took them: nothing of a body's
 * tree outlives the callback (the writer copies what it keeps). Arrays over {@link #MAX_KEPT} are not kept.
 */
final class Scratch {
    /** The largest array kept per thread and use. */
    static final int MAX_KEPT = 256 * 1024;

    private static final FastThreadLocal<Scratch> CURRENT = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    private byte[] in = new byte[8192];
    private byte[] out = new byte[8192];

    private Scratch() {}

    /** This thread's scratch. */
    static Scratch get() {
        return CURRENT.get();
    }

    /** The readable bytes of {@code content} copied into {@code [0, content.readableBytes())} of an array. */
    byte[] input(ByteBuf content) {
        int n = content.readableBytes();
        byte[] a = in;
        if (a.length < n) {
            a = new byte[n];
            if (n <= MAX_KEPT) in = a;
        }
        content.getBytes(content.readerIndex(), a, 0, n);
        return a;
    }

    /** An array for output of about {@code size} bytes (the writer grows it when needed). */
    byte[] output(int size) {
        return out.length >= size ? out : new byte[size];
    }

    /** The writer's array after a write: kept for the next one when it grew within {@link #MAX_KEPT}. */
    void outputUsed(byte[] a) {
        if (a != out && a.length <= MAX_KEPT && a.length > out.length) out = a;
    }
}
