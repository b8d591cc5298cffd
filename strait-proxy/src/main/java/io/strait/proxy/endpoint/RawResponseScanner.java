package io.strait.proxy.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.strait.proxy.http.HttpBytes;
import java.nio.charset.StandardCharsets;

/**
 * A byte-level checker of HTTP/1.x response framing (RFC 9112), run over an upstream's raw bytes before
 * Netty's decoder: the upstream is held to the same rules as a client (see docs/http-hardening.md). It
 * enforces an exact status line ({@code HTTP/1.0} or {@code HTTP/1.1}, a three-digit status 100-599), CRLF as
 * the only line ending, no obs-fold, token field names, no control bytes in values, at most one
 * Content-Length (1 to 18 digits), a Transfer-Encoding of exactly {@code chunked} and never both, and strict
 * chunk lines. A response to no request (bytes while idle, or after a complete response in the same read)
 * is refused too: it would become the answer to the next request.
 *
 * <p>It follows the body framing to find where a response ends: Content-Length bodies and chunk data are
 * skipped by arithmetic, never copied; a response without a length is read until the connection closes.
 * One instance per connection; state survives across buffers.
 */
final class RawResponseScanner implements ByteProcessor {
    private static final byte[] CHUNKED = "chunked".getBytes(StandardCharsets.US_ASCII);
    /** Header fields (or trailer fields) per response: twice Envoy's default of 100, as responses carry Set-Cookie lists. */
    static final int MAX_FIELDS = 200;
    /** Longest chunk-size line, as for requests ({@code RawRequestScanner.MAX_CHUNK_LINE}). */
    static final int MAX_CHUNK_LINE = 1024;
    /** Largest chunk Netty's decoder accepts. */
    static final long MAX_CHUNK_SIZE = Integer.MAX_VALUE;
    /** Captured Content-Length / Transfer-Encoding value bytes; a longer value is malformed. */
    static final int MAX_FRAMING_VALUE = 64;
    /** Content-Length digits: 18 never overflow a long. */
    private static final int MAX_LENGTH_DIGITS = 18;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HT = '\t';
    private static final String BARE_CR = "bare CR: lines must end with CRLF";
    private static final String BARE_LF = "bare LF: lines must end with CRLF";
    private static final byte[] HTTP_1 = {'H', 'T', 'T', 'P', '/', '1', '.'};
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
    private static final int MATCH_CL = 1;
    private static final int MATCH_TE = 2;
    private enum State {
        IDLE, VERSION, STATUS, STATUS_END, REASON, STATUS_LINE_LF,
        FIELD_START, FIELD_NAME, FIELD_VALUE, FIELD_LF, SECTION_END_LF,
        FIXED_BODY, CHUNK_SIZE_START, CHUNK_SIZE, CHUNK_BWS, CHUNK_EXT, CHUNK_SIZE_LF, CHUNK_DATA,
        CHUNK_DATA_CR, CHUNK_DATA_LF, UNTIL_CLOSE, PASS_THROUGH, FAILED
    }

    private enum Field { OTHER, CONTENT_LENGTH, TRANSFER_ENCODING }

    private State state = State.IDLE;
    private String problem;

    // the request in flight
    private boolean headRequest;
    private boolean upgradeRequest;

    // per response
    private int pos;
    private boolean http10;
    private int status;
    private boolean inTrailers;
    private int fieldCount;
    private int nameLen;
    private int nameMatch;
    private Field field = Field.OTHER;
    private final byte[] value = new byte[MAX_FRAMING_VALUE];
    private int valueLen;
    private boolean valueOverflow;
    private boolean hasContentLength;
    private boolean hasTransferEncoding;
    private long contentLength;
    private long remaining;
    private int chunkLineLen;

    /**
     * A request was written: its response may now arrive. {@code head}: the request is a HEAD (no body
     * follows the response head); {@code upgrade}: the request asked for a protocol upgrade (only then is a
     * {@code 101} acceptable).
     */
    void requestSent(boolean head, boolean upgrade) {
        if (state != State.IDLE) return; // an earlier response still in progress: its framing rules stay
        headRequest = head;
        upgradeRequest = upgrade;
        state = State.VERSION;
        pos = 0;
    }

    /** Whether a response is being read (its head, or its body up to a known end). */
    boolean inResponse() {
        return state != State.IDLE && state != State.PASS_THROUGH && state != State.FAILED;
    }

    /**
     * Scans the readable bytes of {@code buf} without moving its indexes.
     *
     * @return -1 when every byte is acceptable, else the index of the first offending byte ({@link #problem()})
     */
    int scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            switch (state) {
                case PASS_THROUGH, UNTIL_CLOSE:
                    return -1;
                case FAILED:
                    return i;
                case IDLE:
                    problem = "data from the upstream with no request in flight";
                    state = State.FAILED;
                    return i;
                case FIXED_BODY, CHUNK_DATA: {
                    int n = (int) Math.min(remaining, end - i);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        if (state == State.FIXED_BODY) responseComplete();
                        else state = State.CHUNK_DATA_CR;
                    }
                    break;
                }
                default: {
                    int stop = buf.forEachByte(i, end - i, this);
                    if (stop < 0) return -1;
                    if (state == State.FAILED) return stop;
                    i = stop + 1;
                }
            }
        }
        return -1;
    }

    /** Why the scan failed (a fixed text, never upstream bytes); null while all is well. */
    String problem() {
        return problem;
    }

    @Override
    public boolean process(byte b) {
        switch (state) {
            case VERSION:
                return version(b);
            case STATUS:
                if (b < '0' || b > '9') return fail("malformed status code");
                status = status * 10 + (b - '0');
                if (++pos == 3) {
                    if (status < 100 || status > 599) return fail("status code outside 100-599");
                    state = State.STATUS_END;
                }
                return true;
            case STATUS_END:
                if (b == SP) {
                    state = State.REASON;
                    return true;
                }
                if (b == CR) { // no reason phrase and no space before it: harmless, accepted
                    state = State.STATUS_LINE_LF;
                    return true;
                }
                return fail("malformed status code");
            case REASON:
                if (HttpBytes.isFieldValueByte(b)) return true;
                if (b == CR) {
                    state = State.STATUS_LINE_LF;
                    return true;
                }
                return fail(b == LF ? BARE_LF : "control character in the reason phrase");
            case STATUS_LINE_LF:
                if (b != LF) return fail(BARE_CR);
                state = State.FIELD_START;
                return true;
            case FIELD_START:
                return fieldStart(b);
            case FIELD_NAME:
                return fieldName(b);
            case FIELD_VALUE:
                if (HttpBytes.isFieldValueByte(b)) {
                    if (field != Field.OTHER) capture(b);
                    return true;
                }
                if (b == CR) {
                    state = State.FIELD_LF;
                    return true;
                }
                return fail(b == LF ? BARE_LF : "control character in a header value");
            case FIELD_LF:
                if (b != LF) return fail(BARE_CR);
                state = State.FIELD_START;
                return endField();
            case SECTION_END_LF:
                if (b != LF) return fail(BARE_CR);
                return endSection();
            case CHUNK_SIZE_START:
                if (HttpBytes.hex(b) < 0) return fail("invalid chunk size");
                remaining = HttpBytes.hex(b);
                chunkLineLen = 1;
                state = State.CHUNK_SIZE;
                return true;
            case CHUNK_SIZE:
                return chunkSize(b);
            case CHUNK_BWS:
                if (++chunkLineLen > MAX_CHUNK_LINE) return fail("chunk size line too long");
                if (b == SP || b == HT) return true;
                if (b == ';') {
                    state = State.CHUNK_EXT;
                    return true;
                }
                return fail("invalid chunk size");
            case CHUNK_EXT:
                if (++chunkLineLen > MAX_CHUNK_LINE) return fail("chunk size line too long");
                if (HttpBytes.isFieldValueByte(b)) return true;
                if (b == CR) {
                    state = State.CHUNK_SIZE_LF;
                    return true;
                }
                return fail(b == LF ? BARE_LF : "control character in a chunk extension");
            case CHUNK_SIZE_LF:
                if (b != LF) return fail(BARE_CR);
                if (remaining == 0) {
                    inTrailers = true;
                    fieldCount = 0;
                    state = State.FIELD_START;
                    return true;
                }
                state = State.CHUNK_DATA;
                return false; // the caller skips the data
            case CHUNK_DATA_CR:
                if (b != CR) return fail("chunk data is longer than its size");
                state = State.CHUNK_DATA_LF;
                return true;
            case CHUNK_DATA_LF:
                if (b != LF) return fail("chunk data is longer than its size");
                state = State.CHUNK_SIZE_START;
                return true;
            default:
                return false;
        }
    }

    /** {@code HTTP/1.0} or {@code HTTP/1.1}, then exactly one SP. */
    private boolean version(byte b) {
        int p = pos++;
        if (p < HTTP_1.length) {
            return b == HTTP_1[p] || fail("malformed status line");
        }
        if (p == HTTP_1.length) {
            if (b != '0' && b != '1') return fail("unsupported HTTP version in the status line");
            http10 = b == '0';
            return true;
        }
        if (b != SP) return fail("malformed status line");
        state = State.STATUS;
        pos = 0;
        status = 0;
        return true;
    }

    private boolean fieldStart(byte b) {
        if (b == CR) {
            state = State.SECTION_END_LF;
            return true;
        }
        if (HttpBytes.isTchar(b)) {
            if (++fieldCount > MAX_FIELDS) return fail("too many header fields");
            nameLen = 0;
            nameMatch = inTrailers ? 0 : MATCH_CL | MATCH_TE;
            matchName(b);
            state = State.FIELD_NAME;
            return true;
        }
        if (b == SP || b == HT) return fail("obsolete line folding or whitespace before a header field");
        if (b == LF) return fail(BARE_LF);
        return fail("invalid header field name");
    }

    private boolean fieldName(byte b) {
        if (HttpBytes.isTchar(b)) {
            matchName(b);
            return true;
        }
        if (b != ':') return fail(b == SP || b == HT ? "whitespace in a header field name" : "invalid header field name");
        field = Field.OTHER;
        if ((nameMatch & MATCH_CL) != 0 && nameLen == CONTENT_LENGTH.length) {
            if (hasContentLength) return fail("repeated Content-Length");
            hasContentLength = true;
            field = Field.CONTENT_LENGTH;
        } else if ((nameMatch & MATCH_TE) != 0 && nameLen == TRANSFER_ENCODING.length) {
            if (hasTransferEncoding) return fail("repeated Transfer-Encoding");
            if (http10) return fail("Transfer-Encoding in an HTTP/1.0 response");
            hasTransferEncoding = true;
            field = Field.TRANSFER_ENCODING;
        }
        valueLen = 0;
        valueOverflow = false;
        state = State.FIELD_VALUE;
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
        if (field == Field.OTHER) return true;
        int from = 0;
        int to = valueLen;
        while (from < to && HttpBytes.isOws(value[from])) from++;
        while (to > from && HttpBytes.isOws(value[to - 1])) to--;
        if (field == Field.CONTENT_LENGTH) {
            if (valueOverflow || to == from || to - from > MAX_LENGTH_DIGITS) return fail("invalid Content-Length");
            long n = 0;
            for (int i = from; i < to; i++) {
                if (value[i] < '0' || value[i] > '9') return fail("invalid Content-Length");
                n = n * 10 + (value[i] - '0');
            }
            contentLength = n;
            return true;
        }
        // Only "chunked" itself: a proxy cannot pass on a coding it does not decode, and any other final
        // coding would make the body end at the connection's close (RFC 9112 6.3).
        if (valueOverflow || to - from != CHUNKED.length || !chunked(from)) return fail("Transfer-Encoding other than chunked");
        return true;
    }

    private boolean chunked(int from) {
        for (int i = 0; i < CHUNKED.length; i++) {
            if (HttpBytes.lower(value[from + i]) != CHUNKED[i]) return false;
        }
        return true;
    }

    private boolean endSection() {
        if (inTrailers) {
            responseComplete();
            return true;
        }
        // RFC 9112 6.3: both is "ought to be handled as an error" (a smuggling or splitting attempt).
        if (hasTransferEncoding && hasContentLength) return fail("both Content-Length and Transfer-Encoding");
        if (status < 200) {
            if (status == 101) {
                if (!upgradeRequest) return fail("101 Switching Protocols without an upgrade request");
                state = State.PASS_THROUGH; // the connection now carries the upgraded protocol
                return true;
            }
            resetResponse(); // interim: the final response follows
            state = State.VERSION;
            return true;
        }
        if (headRequest || status == 204 || status == 304) {
            responseComplete();
            return true;
        }
        if (hasTransferEncoding) {
            state = State.CHUNK_SIZE_START;
            return true;
        }
        if (hasContentLength) {
            if (contentLength == 0) {
                responseComplete();
                return true;
            }
            remaining = contentLength;
            state = State.FIXED_BODY;
            return false; // the caller skips the body
        }
        state = State.UNTIL_CLOSE; // RFC 9112 6.3: no length, the body ends when the connection closes
        return true;
    }

    private boolean chunkSize(byte b) {
        if (++chunkLineLen > MAX_CHUNK_LINE) return fail("chunk size line too long");
        int d = HttpBytes.hex(b);
        if (d >= 0) {
            remaining = remaining * 16 + d;
            if (remaining > MAX_CHUNK_SIZE) return fail("chunk size too large");
            return true;
        }
        switch (b) {
            case CR -> state = State.CHUNK_SIZE_LF;
            case ';' -> state = State.CHUNK_EXT;
            case SP, HT -> state = State.CHUNK_BWS;
            default -> {
                return fail(b == LF ? BARE_LF : "invalid chunk size");
            }
        }
        return true;
    }

    private void resetResponse() {
        pos = 0;
        status = 0;
        http10 = false;
        inTrailers = false;
        fieldCount = 0;
        field = Field.OTHER;
        hasContentLength = false;
        hasTransferEncoding = false;
        contentLength = 0;
        remaining = 0;
    }

    private void responseComplete() {
        resetResponse();
        state = State.IDLE;
    }

    private boolean fail(String why) {
        problem = why;
        state = State.FAILED;
        return false;
    }
}
