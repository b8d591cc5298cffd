package io.strait.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes an HTTP/1.1 header block ({@code name: value CRLF} per header) with bulk copies.
 *
 * <p>Why not Netty's {@code HttpHeadersEncoder}: it writes a {@code String} one {@code charAt} at a time
 * through a {@code CharSequence} call that the JIT sees with several receiver types (String, AsciiString,
 * StringBuilder), so it is not inlined: about 5% of the proxy's CPU at peak went there. Here a block is
 * assembled in a per-thread byte array and handed to the buffer in one copy. A string is checked with
 * one tight loop over its characters and then copied with {@code String.getBytes(int, int, byte[], int)},
 * an array copy for the Latin-1 strings header values are (the decoders build them from bytes).
 *
 * <p>Framing safety: a name or value can never end the header early. Whatever produced it, a CR, LF
 * or NUL in what is written becomes a space, and a character above U+00FF becomes {@code ?} (as in
 * Netty's ASCII writer), so a bad value cannot inject a header or a second message. Decoded values
 * never hold these (the request guard and the decoders refuse them); this is defence in depth.
 */
public final class HeaderBlock {
    private HeaderBlock() {}

    /** The scratch array kept per event-loop thread; blocks larger than this go out in pieces. */
    private static final int SCRATCH_SIZE = 8 * 1024;

    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH_SIZE];
        }
    };

    /** Writes every header of {@code headers} to {@code out}. */
    public static void write(HttpHeaders headers, ByteBuf out) {
        byte[] b = SCRATCH.get();
        int n = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            CharSequence value = e.getValue();
            int size = name.length() + value.length() + 4;
            if (n + size > b.length) {
                out.writeBytes(b, 0, n);
                n = 0;
                if (size > b.length) { // one header larger than the scratch array: written directly
                    writeSlowly(name, out);
                    out.writeByte(':').writeByte(' ');
                    writeSlowly(value, out);
                    out.writeByte('\r').writeByte('\n');
                    continue;
                }
            }
            n = put(name, b, n);
            b[n++] = ':';
            b[n++] = ' ';
            n = put(value, b, n);
            b[n++] = '\r';
            b[n++] = '\n';
        }
        if (n > 0) out.writeBytes(b, 0, n);
    }

    /** Copies {@code s} into {@code b} at {@code at}; returns the index after it. */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the Latin-1 array copy we want
    static int put(CharSequence s, byte[] b, int at) {
        int len = s.length();
        if (s instanceof AsciiString a) {
            System.arraycopy(a.array(), a.arrayOffset(), b, at, len);
            if (needsCare(b, at, len)) putSlowly(a, b, at);
            return at + len;
        }
        if (s instanceof String str) {
            if (needsCare(str)) {
                putSlowly(str, b, at);
            } else {
                str.getBytes(0, len, b, at); // every character is Latin-1: a plain array copy
            }
            return at + len;
        }
        putSlowly(s, b, at);
        return at + len;
    }

    /** Whether {@code s} holds a character above U+00FF, or CR, LF or NUL. */
    private static boolean needsCare(String s) {
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c > 0xff || c == '\r' || c == '\n' || c == 0) return true;
        }
        return false;
    }

    /** Whether a byte of {@code b[at, at + len)} is CR, LF or NUL. */
    private static boolean needsCare(byte[] b, int at, int len) {
        for (int i = at, end = at + len; i < end; i++) {
            byte c = b[i];
            if (c == '\r' || c == '\n' || c == 0) return true;
        }
        return false;
    }

    private static void putSlowly(CharSequence s, byte[] b, int at) {
        if (s instanceof AsciiString a) { // bytes, not characters: only the framing bytes change
            for (int i = 0, len = a.length(); i < len; i++) b[at + i] = safe((char) (a.byteAt(i) & 0xff));
            return;
        }
        for (int i = 0, len = s.length(); i < len; i++) b[at + i] = safe(s.charAt(i));
    }

    private static void writeSlowly(CharSequence s, ByteBuf out) {
        for (int i = 0, len = s.length(); i < len; i++) out.writeByte(safe(s.charAt(i)));
    }

    /** A character as one header byte: above U+00FF becomes '?', CR, LF and NUL become a space. */
    static byte safe(char c) {
        if (c > 0xff) return '?';
        if (c == '\r' || c == '\n' || c == 0) return ' ';
        return (byte) c;
    }
}
