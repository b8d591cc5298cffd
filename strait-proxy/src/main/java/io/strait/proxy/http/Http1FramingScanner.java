package io.strait.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP/1.x framing rules that requests and responses share (RFC 9112), checked over raw bytes before
 * Netty's decoder: the field section (token names, no whitespace before the colon, no obs-fold, no control
 * bytes in values, CRLF only), one Content-Length of 1-18 digits or one Transfer-Encoding and never both, and
 * strict chunk lines. A subclass reads its own start line ({@link #startLine}) and decides how the body is
 * framed ({@link #endHead}); this class follows the framing to find where each message ends: Content-Length
 * bodies and chunk data are skipped by arithmetic, never copied or looked at.
 *
 * <p>Head bytes are copied, a few hundred at a time, into a per-thread scratch array and checked there with
 * one table lookup per byte in tight per-state loops (a {@code ByteProcessor} would cost a megamorphic call
 * per byte: Netty's own decoders use that interface too). One instance per connection; its state survives
 * across reads, so a head split over many reads gets the same verdict as a whole one.
 */
public abstract class Http1FramingScanner {
    protected static final byte CR = '\r';
    protected static final byte LF = '\n';
    protected static final byte SP = ' ';
    protected static final byte HT = '\t';

    /** Longest chunk-size line (size, extensions, CRLF): extensions are practically unused, and long or odd ones are where parsers disagree. */
    public static final int MAX_CHUNK_LINE = 1024;
    /** Largest chunk Netty's decoder accepts; a bigger size is refused here first. */
    public static final long MAX_CHUNK_SIZE = Integer.MAX_VALUE;
    /** Captured Content-Length / Transfer-Encoding value bytes; a longer value is malformed. */
    public static final int MAX_FRAMING_VALUE = 64;
    /** Content-Length digits: 18 never overflow a long. */
    private static final int MAX_LENGTH_DIGITS = 18;
    /** Head bytes checked per copy: most heads fit in one; a copy is cheaper than a call per byte. */
    private static final int SCRATCH_SIZE = 512;
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH_SIZE];
        }
    };

    private static final byte[] CHUNKED = {'c', 'h', 'u', 'n', 'k', 'e', 'd'};
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
    private static final int MATCH_CL = 1;
    private static final int MATCH_TE = 2;
    private static final int FIELD_OTHER = 0;
    private static final int FIELD_CONTENT_LENGTH = 1;
    private static final int FIELD_TRANSFER_ENCODING = 2;

    // States. The subclass owns START_LINE (with its own sub-states); IDLE is "no message may arrive now".
    protected static final int START_LINE = 0;
    protected static final int IDLE = 1;
    private static final int FIELD_START = 2;
    private static final int FIELD_NAME = 3;
    private static final int FIELD_VALUE = 4;
    private static final int FIELD_LF = 5;
    private static final int SECTION_END_LF = 6;
    private static final int CHUNK_SIZE_START = 7;
    private static final int CHUNK_SIZE = 8;
    private static final int CHUNK_BWS = 9;
    private static final int CHUNK_EXT = 10;
    private static final int CHUNK_SIZE_LF = 11;
    private static final int CHUNK_DATA_CR = 12;
    private static final int CHUNK_DATA_LF = 13;
    // states whose bytes are not looked at one by one
    private static final int FIXED_BODY = 20;
    private static final int CHUNK_DATA = 21;
    private static final int UNTIL_CLOSE = 22;
    private static final int PASS_THROUGH = 23;
    private static final int FAILED = 24;

    /** A violation of the shared rules, with the text a client may be shown (never the offending bytes). */
    public enum Problem {
        BARE_CR("bare CR: lines must end with CRLF"),
        BARE_LF("bare LF: lines must end with CRLF"),
        CONTROL_IN_VALUE("control character in header value"),
        TOO_MANY_FIELDS("too many header fields"),
        WHITESPACE_BEFORE_FIRST_FIELD("whitespace before the first header field"),
        OBS_FOLD("obsolete line folding is not allowed"),
        EMPTY_FIELD_NAME("empty header field name"),
        INVALID_FIELD_NAME("invalid character in header field name"),
        WHITESPACE_AFTER_FIELD_NAME("whitespace after header field name (before colon or no colon)"),
        NO_COLON("header field without colon"),
        REPEATED_CONTENT_LENGTH("repeated Content-Length"),
        REPEATED_TRANSFER_ENCODING("repeated Transfer-Encoding"),
        TRANSFER_ENCODING_IN_HTTP10("Transfer-Encoding is not allowed in HTTP/1.0"),
        INVALID_CONTENT_LENGTH("invalid Content-Length"),
        BOTH_LENGTHS("both Content-Length and Transfer-Encoding"),
        INVALID_CHUNK_SIZE("invalid chunk size"),
        CHUNK_LINE_TOO_LONG("chunk size line too long"),
        CHUNK_TOO_LARGE("chunk size too large"),
        CONTROL_IN_CHUNK_EXTENSION("control character in chunk extension"),
        CHUNK_DATA_TOO_LONG("chunk data is longer than its size"),
        UNEXPECTED_DATA("data with no message expected");

        public final String message;

        Problem(String message) {
            this.message = message;
        }
    }

    private final int maxFields;
    private int state = START_LINE;

    /** Set by the subclass's start line: an HTTP/1.0 message may not carry Transfer-Encoding. */
    protected boolean http10;
    private boolean inTrailers;
    private int fieldCount;
    private int nameMatch;
    private int nameLen;
    private int field = FIELD_OTHER;
    private final byte[] value = new byte[MAX_FRAMING_VALUE];
    private int valueLen;
    private boolean valueOverflow;
    private boolean hasContentLength;
    private boolean hasTransferEncoding;
    private long contentLength;
    private long remaining;
    private int chunkLineLen;
    // buffer indexes of the byte being stepped and of the current field's parts, for the position hooks
    private int at;
    private int nameAt;
    private int colonAt;
    private int crAt;

    protected Http1FramingScanner(int maxFields, boolean startIdle) {
        this.maxFields = maxFields;
        this.state = startIdle ? IDLE : START_LINE;
    }

    /**
     * Checks the start line's bytes {@code a[p..n)}; {@code base} is the buffer index of {@code a[0]}. Returns
     * where it stopped: at {@code n}, after the line's final LF (having called {@link #startFields()}), or at
     * the offending byte (having called a {@code fail} method).
     */
    protected abstract int startLine(byte[] a, int p, int n, int base);

    /**
     * The head's field section ended (not the trailers'); {@code next} is the buffer index just after it. Choose
     * the body's framing with {@link #chunkedBody()}, {@link #fixedBody(long)}, {@link #bodyUntilClose()},
     * {@link #messageComplete()}, {@link #passThrough()}, {@link #restartHead()} or a {@code fail} method. Both
     * length fields were already refused.
     */
    protected abstract void endHead(int next);

    // Position hooks, for a subclass that decodes what it checks (buffer indexes of the buffer being scanned).
    // They do nothing here.

    /** A field line (head or trailer) ended: its name starts at {@code name}, its colon and its CR are at the others. */
    protected void fieldEnded(int name, int colon, int cr) {}

    /** The last chunk's line ended: a trailer section (maybe empty) starts at {@code index}. */
    protected void trailersStarted(int index) {}

    /**
     * Body bytes {@code [from, to)}: of a Content-Length body ({@code last}: its final bytes), of a chunk's data,
     * or of a body read until the connection closes.
     */
    protected void body(int from, int to, boolean last) {}

    /** Bytes {@code [from, to)} after a protocol switch ({@link #passThrough()}). */
    protected void passedThrough(int from, int to) {}

    /**
     * A Transfer-Encoding value other than exactly {@code chunked} ({@code null} when longer than
     * {@link #MAX_FRAMING_VALUE}): return true to accept it as chunked framing, or record why it is refused
     * and return false.
     */
    protected abstract boolean otherTransferEncoding(String value);

    /** The subclass records why the scan failed; the state is already failed. */
    protected abstract void failed(Problem problem);

    /** A message ended (its body or trailers are complete): set up for the next one with {@link #resetMessage()}. */
    protected abstract void messageComplete();

    /**
     * Scans the readable bytes of {@code buf} without moving its indexes.
     *
     * @return -1 when every byte is acceptable, else the index of the first offending byte
     */
    protected final int check(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        byte[] a = null;
        while (i < end) {
            switch (state) {
                case PASS_THROUGH:
                    passedThrough(i, end);
                    return -1;
                case UNTIL_CLOSE:
                    body(i, end, false);
                    return -1;
                case FAILED:
                    return i;
                case IDLE:
                    fail(Problem.UNEXPECTED_DATA);
                    return i;
                case FIXED_BODY, CHUNK_DATA: {
                    int n = (int) Math.min(remaining, end - i);
                    body(i, i + n, state == FIXED_BODY && remaining == n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        if (state == FIXED_BODY) messageComplete();
                        else state = CHUNK_DATA_CR;
                    }
                    break;
                }
                default: {
                    if (a == null) a = SCRATCH.get();
                    int n = Math.min(end - i, a.length);
                    buf.getBytes(i, a, 0, n);
                    int stop = run(a, n, i);
                    if (state == FAILED) return i + stop;
                    i += stop;
                }
            }
        }
        return -1;
    }

    /** Checks head bytes {@code a[0..n)} until they end or a body begins; returns where it stopped. */
    private int run(byte[] a, int n, int base) {
        int p = 0;
        while (p < n) {
            switch (state) {
                case START_LINE:
                    p = startLine(a, p, n, base);
                    if (state == FAILED) return p;
                    break;
                case FIELD_VALUE: {
                    if (field == FIELD_OTHER) {
                        while (p < n && HttpBytes.isFieldValueByte(a[p])) p++;
                    } else {
                        while (p < n && HttpBytes.isFieldValueByte(a[p])) capture(a[p++]);
                    }
                    if (p == n) return p;
                    byte b = a[p];
                    if (b != CR) return failAt(p, b == LF ? Problem.BARE_LF : Problem.CONTROL_IN_VALUE);
                    crAt = base + p;
                    state = FIELD_LF;
                    p++;
                    break;
                }
                case FIELD_NAME: {
                    if (nameMatch == 0) {
                        while (p < n && HttpBytes.isTchar(a[p])) p++;
                    } else {
                        while (p < n && HttpBytes.isTchar(a[p])) matchName(a[p++]);
                    }
                    if (p == n) return p;
                    colonAt = base + p;
                    if (!nameEnd(a[p])) return p;
                    p++;
                    break;
                }
                case FIXED_BODY, CHUNK_DATA, UNTIL_CLOSE, PASS_THROUGH, IDLE, FAILED:
                    return p;
                default:
                    at = base + p;
                    if (!step(a[p])) return p;
                    p++;
            }
        }
        return p;
    }

    /** One byte of the field section or a chunk line; false when it failed. */
    private boolean step(byte b) {
        switch (state) {
            case FIELD_START:
                return fieldStart(b);
            case FIELD_LF:
                if (b != LF) return fail(Problem.BARE_CR);
                state = FIELD_START;
                return endField();
            case SECTION_END_LF:
                if (b != LF) return fail(Problem.BARE_CR);
                return endSection();
            case CHUNK_SIZE_START: {
                int d = HttpBytes.hex(b);
                if (d < 0) return fail(Problem.INVALID_CHUNK_SIZE);
                remaining = d;
                chunkLineLen = 1;
                state = CHUNK_SIZE;
                return true;
            }
            case CHUNK_SIZE:
                return chunkSize(b);
            case CHUNK_BWS:
                if (++chunkLineLen > MAX_CHUNK_LINE) return fail(Problem.CHUNK_LINE_TOO_LONG);
                if (b == SP || b == HT) return true;
                if (b != ';') return fail(Problem.INVALID_CHUNK_SIZE);
                state = CHUNK_EXT;
                return true;
            case CHUNK_EXT:
                if (++chunkLineLen > MAX_CHUNK_LINE) return fail(Problem.CHUNK_LINE_TOO_LONG);
                if (HttpBytes.isFieldValueByte(b)) return true;
                if (b != CR) return fail(b == LF ? Problem.BARE_LF : Problem.CONTROL_IN_CHUNK_EXTENSION);
                state = CHUNK_SIZE_LF;
                return true;
            case CHUNK_SIZE_LF:
                if (b != LF) return fail(Problem.BARE_CR);
                if (remaining == 0) {
                    inTrailers = true;
                    fieldCount = 0;
                    state = FIELD_START;
                    trailersStarted(at + 1);
                } else {
                    state = CHUNK_DATA;
                }
                return true;
            case CHUNK_DATA_CR:
                if (b != CR) return fail(Problem.CHUNK_DATA_TOO_LONG);
                state = CHUNK_DATA_LF;
                return true;
            case CHUNK_DATA_LF:
                if (b != LF) return fail(Problem.CHUNK_DATA_TOO_LONG);
                state = CHUNK_SIZE_START;
                return true;
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    private boolean fieldStart(byte b) {
        if (b == CR) {
            state = SECTION_END_LF;
            return true;
        }
        if (HttpBytes.isTchar(b)) {
            if (++fieldCount > maxFields) return fail(Problem.TOO_MANY_FIELDS);
            nameAt = at;
            nameLen = 0;
            nameMatch = inTrailers ? 0 : MATCH_CL | MATCH_TE;
            matchName(b);
            state = FIELD_NAME;
            return true;
        }
        if (b == SP || b == HT) return fail(fieldCount == 0 ? Problem.WHITESPACE_BEFORE_FIRST_FIELD : Problem.OBS_FOLD);
        if (b == LF) return fail(Problem.BARE_LF);
        return fail(b == ':' ? Problem.EMPTY_FIELD_NAME : Problem.INVALID_FIELD_NAME);
    }

    /** The byte after a field name's last tchar: it must be the colon. */
    private boolean nameEnd(byte b) {
        if (b != ':') {
            if (b == SP || b == HT) return fail(Problem.WHITESPACE_AFTER_FIELD_NAME);
            return fail(b == CR || b == LF ? Problem.NO_COLON : Problem.INVALID_FIELD_NAME);
        }
        field = FIELD_OTHER;
        if ((nameMatch & MATCH_CL) != 0 && nameLen == CONTENT_LENGTH.length) {
            if (hasContentLength) return fail(Problem.REPEATED_CONTENT_LENGTH);
            hasContentLength = true;
            field = FIELD_CONTENT_LENGTH;
        } else if ((nameMatch & MATCH_TE) != 0 && nameLen == TRANSFER_ENCODING.length) {
            if (hasTransferEncoding) return fail(Problem.REPEATED_TRANSFER_ENCODING);
            if (http10) return fail(Problem.TRANSFER_ENCODING_IN_HTTP10);
            hasTransferEncoding = true;
            field = FIELD_TRANSFER_ENCODING;
        }
        valueLen = 0;
        valueOverflow = false;
        state = FIELD_VALUE;
        return true;
    }

    private void matchName(byte b) {
        int lower = HttpBytes.lower(b);
        int i = nameLen++;
        if ((nameMatch & MATCH_CL) != 0 && (i >= CONTENT_LENGTH.length || CONTENT_LENGTH[i] != lower)) nameMatch &= ~MATCH_CL;
        if ((nameMatch & MATCH_TE) != 0 && (i >= TRANSFER_ENCODING.length || TRANSFER_ENCODING[i] != lower)) nameMatch &= ~MATCH_TE;
    }

    private void capture(byte b) {
        if (valueLen < value.length) value[valueLen++] = b;
        else valueOverflow = true;
    }

    private boolean endField() {
        fieldEnded(nameAt, colonAt, crAt);
        if (field == FIELD_OTHER) return true;
        int from = 0;
        int to = valueLen;
        while (from < to && HttpBytes.isOws(value[from])) from++;
        while (to > from && HttpBytes.isOws(value[to - 1])) to--;
        if (field == FIELD_CONTENT_LENGTH) {
            // RFC 9110 8.6: Content-Length = 1*DIGIT, one value only
            if (valueOverflow || to == from || to - from > MAX_LENGTH_DIGITS) return fail(Problem.INVALID_CONTENT_LENGTH);
            long len = 0;
            for (int i = from; i < to; i++) {
                if (value[i] < '0' || value[i] > '9') return fail(Problem.INVALID_CONTENT_LENGTH);
                len = len * 10 + (value[i] - '0');
            }
            contentLength = len;
            return true;
        }
        if (!valueOverflow && isChunked(from, to)) return true;
        return otherTransferEncoding(valueOverflow ? null
                : new String(value, 0, valueLen, StandardCharsets.ISO_8859_1)) || failRecorded();
    }

    private boolean isChunked(int from, int to) {
        if (to - from != CHUNKED.length) return false;
        for (int i = 0; i < CHUNKED.length; i++) {
            if (HttpBytes.lower(value[from + i]) != CHUNKED[i]) return false;
        }
        return true;
    }

    private boolean endSection() {
        if (inTrailers) {
            messageComplete();
            return true;
        }
        // RFC 9112 6.3: both is "ought to be handled as an error" (a smuggling or splitting attempt)
        if (hasTransferEncoding && hasContentLength) return fail(Problem.BOTH_LENGTHS);
        endHead(at + 1);
        return state != FAILED;
    }

    private boolean chunkSize(byte b) {
        if (++chunkLineLen > MAX_CHUNK_LINE) return fail(Problem.CHUNK_LINE_TOO_LONG);
        int d = HttpBytes.hex(b);
        if (d >= 0) {
            remaining = remaining * 16 + d;
            if (remaining > MAX_CHUNK_SIZE) return fail(Problem.CHUNK_TOO_LARGE);
            return true;
        }
        switch (b) {
            case CR -> state = CHUNK_SIZE_LF;
            case ';' -> state = CHUNK_EXT;
            case SP, HT -> state = CHUNK_BWS;
            default -> {
                return fail(b == LF ? Problem.BARE_LF : Problem.INVALID_CHUNK_SIZE);
            }
        }
        return true;
    }

    // --- for subclasses -------------------------------------------------------------------------------

    /** The start line ended: the field section follows. */
    protected final void startFields() {
        state = FIELD_START;
    }

    /** Whether the head had a Transfer-Encoding (of chunked) field. */
    protected final boolean hasTransferEncoding() {
        return hasTransferEncoding;
    }

    /** Whether the head had a Content-Length field; its value is {@link #contentLength()}. */
    protected final boolean hasContentLength() {
        return hasContentLength;
    }

    protected final long contentLength() {
        return contentLength;
    }

    protected final void chunkedBody() {
        state = CHUNK_SIZE_START;
    }

    /** A body of {@code length} bytes follows (0: the message is complete). */
    protected final void fixedBody(long length) {
        if (length == 0) {
            messageComplete();
            return;
        }
        remaining = length;
        state = FIXED_BODY;
    }

    /** RFC 9112 6.3: no length, the body ends when the connection closes. */
    protected final void bodyUntilClose() {
        state = UNTIL_CLOSE;
    }

    /** Stops checking: every later byte is accepted (after a protocol switch). */
    public final void passThrough() {
        if (state != FAILED) state = PASS_THROUGH;
    }

    /** An interim head ended: another head follows on the same message. */
    protected final void restartHead() {
        resetMessage();
        state = START_LINE;
    }

    /** Forgets the message that ended; the next state is {@code next} ({@link #START_LINE} or {@link #IDLE}). */
    protected final void resetMessage(int next) {
        resetMessage();
        state = next;
    }

    private void resetMessage() {
        http10 = false;
        inTrailers = false;
        fieldCount = 0;
        field = FIELD_OTHER;
        hasContentLength = false;
        hasTransferEncoding = false;
        contentLength = 0;
        remaining = 0;
    }

    /** Whether bytes are expected now: the scanner is not idle, not passing bytes through and has not failed. */
    protected final boolean inMessage() {
        return state != IDLE && state != PASS_THROUGH && state != FAILED;
    }

    protected final boolean isIdle() {
        return state == IDLE;
    }

    /** The bytes of a field not yet ended moved by {@code delta} (the subclass gathers a section split over reads). */
    protected final void shiftFieldPositions(int delta) {
        nameAt += delta;
        colonAt += delta;
        crAt += delta;
    }

    /** The buffer index of the byte being checked when a hook ({@link #messageComplete()} after trailers) is called. */
    protected final int position() {
        return at;
    }

    /** Whether the scanner is inside a field section (a head's or the trailers'), past its start line. */
    protected final boolean inFieldSection() {
        return state >= FIELD_START && state <= SECTION_END_LF;
    }

    /** Whether the message's body is read until the connection closes: the close ends it. */
    public final boolean untilClose() {
        return state == UNTIL_CLOSE;
    }

    /** Fails with a shared problem; always false. */
    protected final boolean fail(Problem problem) {
        state = FAILED;
        failed(problem);
        return false;
    }

    /** Fails for a reason the subclass has already recorded; always false. */
    protected final boolean failRecorded() {
        state = FAILED;
        return false;
    }

    private int failAt(int p, Problem problem) {
        fail(problem);
        return p;
    }
}
