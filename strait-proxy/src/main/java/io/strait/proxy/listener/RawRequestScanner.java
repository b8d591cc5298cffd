package io.strait.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

/**
 * A byte-level checker of HTTP/1.x request framing (RFC 9112), run over the raw bytes before Netty's decoder.
 * It enforces what the decoder accepts leniently: exact single-SP request line separators, CRLF as the only
 * line ending (no bare CR, no bare LF), no obs-fold, no whitespace before a header colon, token header names,
 * no control characters, one Content-Length or one Transfer-Encoding (never both, never repeated).
 *
 * <p>To find the next pipelined head it follows the body framing itself: Content-Length bodies are skipped by
 * arithmetic, chunked bodies by reading only the chunk-size lines. Body bytes are never copied. State survives
 * across buffers, so heads split over many reads are checked the same way as whole ones.
 */
final class RawRequestScanner implements ByteProcessor {
    /**
     * Longest chunk-size line (size, extensions, CRLF). Extensions are practically unused; the funky-chunks
     * research shows long or odd extension lines are where parsers disagree, so a short cap costs nothing.
     */
    static final int MAX_CHUNK_LINE = 1024;
    /** Largest chunk Netty's decoder accepts; a bigger size is refused here first with the same answer. */
    static final long MAX_CHUNK_SIZE = Integer.MAX_VALUE;
    /** Captured Content-Length / Transfer-Encoding value bytes; a longer value is malformed. */
    static final int MAX_FRAMING_VALUE = 64;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HT = '\t';
    private static final byte[] HTTP_SLASH = "HTTP/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
    private static final int MATCH_CL = 1;
    private static final int MATCH_TE = 2;
    private static final boolean[] TCHAR = new boolean[256];

    static {
        // RFC 9110 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`"
        //                          / "|" / "~" / DIGIT / ALPHA
        for (int c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (int c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    }

    private enum State {
        REQUEST_START, LEADING_LF, METHOD, TARGET_START, TARGET, VERSION, REQUEST_LINE_LF,
        FIELD_START, FIELD_NAME, FIELD_VALUE, FIELD_LF, SECTION_END_LF,
        FIXED_BODY, CHUNK_SIZE_START, CHUNK_SIZE, CHUNK_BWS, CHUNK_EXT, CHUNK_SIZE_LF, CHUNK_DATA,
        CHUNK_DATA_CR, CHUNK_DATA_LF, PASS_THROUGH, FAILED
    }

    private enum Field { OTHER, CONTENT_LENGTH, TRANSFER_ENCODING }

    private final int maxHeaderCount;
    /** Tests watch where requests start, as offsets in the byte stream; null in production. */
    private LongConsumer requestStartListener;
    private long streamOffset;
    private State state = State.REQUEST_START;
    private RequestProblem problem;
    private int requestStart = -1;
    private boolean startedMessage;

    // per request
    private int versionPos;
    private int major;
    private int minor;
    private boolean http10;
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

    RawRequestScanner(int maxHeaderCount) {
        this.maxHeaderCount = maxHeaderCount;
    }

    /**
     * Scans the readable bytes of {@code buf} without moving its indexes.
     *
     * @return -1 when every byte is acceptable, else the index of the first offending byte ({@link #problem()})
     */
    int scan(ByteBuf buf) {
        requestStart = -1;
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        long base = streamOffset - i;
        streamOffset += end - i;
        while (i < end) {
            switch (state) {
                case PASS_THROUGH:
                    return -1;
                case FAILED:
                    return i;
                case FIXED_BODY, CHUNK_DATA: {
                    int n = (int) Math.min(remaining, end - i);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        if (state == State.FIXED_BODY) messageComplete();
                        else state = State.CHUNK_DATA_CR;
                    }
                    break;
                }
                default: {
                    int stop = buf.forEachByte(i, end - i, this);
                    if (stop < 0) return -1;
                    if (state == State.FAILED) return stop;
                    if (startedMessage) {
                        startedMessage = false;
                        requestStart = stop;
                        if (requestStartListener != null) requestStartListener.accept(base + stop);
                    }
                    i = stop + 1;
                }
            }
        }
        return -1;
    }

    /** Why the scan failed; null while all is well. */
    RequestProblem problem() {
        return problem;
    }

    /**
     * Where, in the buffer of the last {@link #scan}, the request still in progress began; -1 when it began in an
     * earlier buffer or no request is in progress.
     */
    int requestStart() {
        return requestStart;
    }

    void onRequestStart(LongConsumer listener) {
        this.requestStartListener = listener;
    }

    /** Stops checking: every later byte is accepted (after a protocol switch). */
    void passThrough() {
        if (state != State.FAILED) state = State.PASS_THROUGH;
    }

    @Override
    public boolean process(byte b) {
        switch (state) {
            case REQUEST_START:
                if (b == CR) {
                    // RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request-line
                    state = State.LEADING_LF;
                    return true;
                }
                if (isTchar(b)) {
                    state = State.METHOD;
                    startedMessage = true;
                    return false; // report where this request starts
                }
                return fail(b == LF ? bareLf() : RequestProblem.badRequest("request line must start with a method"));
            case LEADING_LF:
                if (b == LF) {
                    state = State.REQUEST_START;
                    return true;
                }
                return fail(bareCr());
            case METHOD:
                if (isTchar(b)) return true;
                if (b == SP) {
                    state = State.TARGET_START;
                    return true;
                }
                return fail(RequestProblem.badRequest("invalid method or request line separator"));
            case TARGET_START:
                if (isVisible(b)) {
                    state = State.TARGET;
                    return true;
                }
                return fail(RequestProblem.badRequest(b == SP ? "request line separator must be one space"
                        : "invalid character in request target"));
            case TARGET:
                if (isVisible(b)) return true;
                if (b == SP) {
                    state = State.VERSION;
                    versionPos = 0;
                    return true;
                }
                return fail(RequestProblem.badRequest(b == CR || b == LF ? "request line has no HTTP version"
                        : "invalid character in request target"));
            case VERSION:
                return version(b);
            case REQUEST_LINE_LF:
                if (b == LF) {
                    state = State.FIELD_START;
                    return true;
                }
                return fail(bareCr());
            case FIELD_START:
                return fieldStart(b);
            case FIELD_NAME:
                return fieldName(b);
            case FIELD_VALUE:
                if (isFieldValueByte(b)) {
                    if (field != Field.OTHER) capture(b);
                    return true;
                }
                if (b == CR) {
                    state = State.FIELD_LF;
                    return true;
                }
                return fail(b == LF ? bareLf() : RequestProblem.badRequest("control character in header value"));
            case FIELD_LF:
                if (b == LF) {
                    state = State.FIELD_START;
                    return endField();
                }
                return fail(bareCr());
            case SECTION_END_LF:
                if (b == LF) return endSection();
                return fail(bareCr());
            case CHUNK_SIZE_START:
                if (hex(b) >= 0) {
                    remaining = hex(b);
                    chunkLineLen = 1;
                    state = State.CHUNK_SIZE;
                    return true;
                }
                return fail(invalidChunkSize());
            case CHUNK_SIZE:
                return chunkSize(b);
            case CHUNK_BWS:
                if (++chunkLineLen > MAX_CHUNK_LINE) return fail(chunkLineTooLong());
                if (b == SP || b == HT) return true;
                if (b == ';') {
                    state = State.CHUNK_EXT;
                    return true;
                }
                return fail(invalidChunkSize());
            case CHUNK_EXT:
                if (++chunkLineLen > MAX_CHUNK_LINE) return fail(chunkLineTooLong());
                if (isFieldValueByte(b)) return true;
                if (b == CR) {
                    state = State.CHUNK_SIZE_LF;
                    return true;
                }
                return fail(b == LF ? bareLf() : RequestProblem.badRequest("control character in chunk extension"));
            case CHUNK_SIZE_LF:
                if (b != LF) return fail(bareCr());
                if (remaining == 0) {
                    inTrailers = true;
                    fieldCount = 0;
                    state = State.FIELD_START;
                    return true;
                }
                state = State.CHUNK_DATA;
                return false; // the caller skips the data
            case CHUNK_DATA_CR:
                if (b == CR) {
                    state = State.CHUNK_DATA_LF;
                    return true;
                }
                return fail(RequestProblem.badRequest("chunk data is longer than its size"));
            case CHUNK_DATA_LF:
                if (b == LF) {
                    state = State.CHUNK_SIZE_START;
                    return true;
                }
                return fail(RequestProblem.badRequest("chunk data is longer than its size"));
            default:
                return false;
        }
    }

    private boolean version(byte b) {
        int p = versionPos++;
        if (p < HTTP_SLASH.length) {
            if (b == HTTP_SLASH[p]) return true;
        } else if (p == 5 || p == 7) {
            if (isDigit(b)) {
                if (p == 5) major = b - '0';
                else minor = b - '0';
                return true;
            }
        } else if (p == 6) {
            if (b == '.') return true;
        } else if (p == 8 && b == LF) {
            return fail(bareLf());
        } else if (p == 8 && b == CR) {
            // Well formed (HTTP/<digit>.<digit>, RFC 9112 2.3); only 1.0 and 1.1 are spoken here.
            if (major != 1 || minor > 1) return fail(RequestProblem.versionNotSupported());
            http10 = minor == 0;
            state = State.REQUEST_LINE_LF;
            return true;
        }
        return fail(RequestProblem.badRequest("malformed HTTP version"));
    }

    private boolean fieldStart(byte b) {
        if (b == CR) {
            state = State.SECTION_END_LF;
            return true;
        }
        if (isTchar(b)) {
            if (++fieldCount > maxHeaderCount) {
                return fail(RequestProblem.headerTooLarge("too many header fields"));
            }
            nameLen = 0;
            nameMatch = inTrailers ? 0 : MATCH_CL | MATCH_TE;
            matchName(b);
            state = State.FIELD_NAME;
            return true;
        }
        if (b == SP || b == HT) {
            return fail(RequestProblem.badRequest(fieldCount == 0 ? "whitespace before the first header field"
                    : "obsolete line folding is not allowed"));
        }
        if (b == LF) return fail(bareLf());
        return fail(RequestProblem.badRequest(b == ':' ? "empty header field name"
                : "invalid character in header field name"));
    }

    private boolean fieldName(byte b) {
        if (isTchar(b)) {
            matchName(b);
            return true;
        }
        if (b == ':') {
            field = Field.OTHER;
            if ((nameMatch & MATCH_CL) != 0 && nameLen == CONTENT_LENGTH.length) {
                if (hasContentLength) return fail(RequestProblem.badRequest("repeated Content-Length"));
                hasContentLength = true;
                field = Field.CONTENT_LENGTH;
            } else if ((nameMatch & MATCH_TE) != 0 && nameLen == TRANSFER_ENCODING.length) {
                if (hasTransferEncoding) return fail(RequestProblem.badRequest("repeated Transfer-Encoding"));
                if (http10) return fail(RequestProblem.badRequest("Transfer-Encoding is not allowed in HTTP/1.0"));
                hasTransferEncoding = true;
                field = Field.TRANSFER_ENCODING;
            }
            valueLen = 0;
            valueOverflow = false;
            state = State.FIELD_VALUE;
            return true;
        }
        if (b == SP || b == HT) {
            return fail(RequestProblem.badRequest("whitespace after header field name (before colon or no colon)"));
        }
        return fail(b == CR || b == LF ? RequestProblem.badRequest("header field without colon")
                : RequestProblem.badRequest("invalid character in header field name"));
    }

    private void matchName(byte b) {
        int lower = b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
        int i = nameLen++;
        if ((nameMatch & MATCH_CL) != 0 && (i >= CONTENT_LENGTH.length || CONTENT_LENGTH[i] != lower)) {
            nameMatch &= ~MATCH_CL;
        }
        if ((nameMatch & MATCH_TE) != 0 && (i >= TRANSFER_ENCODING.length || TRANSFER_ENCODING[i] != lower)) {
            nameMatch &= ~MATCH_TE;
        }
    }

    private void capture(byte b) {
        if (valueLen < value.length) value[valueLen++] = b;
        else valueOverflow = true;
    }

    private boolean endField() {
        if (field == Field.OTHER) return true;
        String v = valueOverflow ? null : new String(value, 0, valueLen, StandardCharsets.ISO_8859_1);
        if (field == Field.CONTENT_LENGTH) {
            contentLength = v == null ? -1 : RequestHeadRules.parseContentLength(v);
            if (contentLength < 0) return fail(RequestProblem.badRequest("invalid Content-Length"));
            return true;
        }
        RequestHeadRules.Coding coding = v == null ? RequestHeadRules.Coding.INVALID
                : RequestHeadRules.classifyTransferEncoding(v);
        return switch (coding) {
            case CHUNKED -> true;
            case UNSUPPORTED -> fail(RequestHeadRules.unsupportedCoding());
            case INVALID -> fail(RequestHeadRules.invalidCoding());
        };
    }

    private boolean endSection() {
        if (inTrailers) {
            messageComplete();
            return true;
        }
        if (hasTransferEncoding && hasContentLength) {
            return fail(RequestProblem.badRequest("both Content-Length and Transfer-Encoding"));
        }
        if (hasTransferEncoding) {
            state = State.CHUNK_SIZE_START;
            return true;
        }
        if (hasContentLength && contentLength > 0) {
            remaining = contentLength;
            state = State.FIXED_BODY;
            return false; // the caller skips the body
        }
        messageComplete();
        return true;
    }

    private boolean chunkSize(byte b) {
        if (++chunkLineLen > MAX_CHUNK_LINE) return fail(chunkLineTooLong());
        int d = hex(b);
        if (d >= 0) {
            remaining = remaining * 16 + d;
            if (remaining > MAX_CHUNK_SIZE) return fail(RequestProblem.badRequest("chunk size too large"));
            return true;
        }
        switch (b) {
            case CR -> state = State.CHUNK_SIZE_LF;
            case ';' -> state = State.CHUNK_EXT;
            case SP, HT -> state = State.CHUNK_BWS;
            default -> {
                return fail(b == LF ? bareLf() : invalidChunkSize());
            }
        }
        return true;
    }

    private void messageComplete() {
        state = State.REQUEST_START;
        requestStart = -1;
        http10 = false;
        inTrailers = false;
        fieldCount = 0;
        field = Field.OTHER;
        hasContentLength = false;
        hasTransferEncoding = false;
        contentLength = 0;
        remaining = 0;
    }

    private boolean fail(RequestProblem p) {
        problem = p;
        state = State.FAILED;
        return false;
    }

    private static RequestProblem bareCr() {
        return RequestProblem.badRequest("bare CR: lines must end with CRLF");
    }

    private static RequestProblem bareLf() {
        return RequestProblem.badRequest("bare LF: lines must end with CRLF");
    }

    private static RequestProblem invalidChunkSize() {
        return RequestProblem.badRequest("invalid chunk size");
    }

    private static RequestProblem chunkLineTooLong() {
        return RequestProblem.badRequest("chunk size line too long");
    }

    static boolean isTchar(byte b) {
        return TCHAR[b & 0xFF];
    }

    /** VCHAR: %x21-7E. Request targets are ASCII (RFC 9112 3.2, RFC 3986). */
    private static boolean isVisible(byte b) {
        return b >= 0x21 && b <= 0x7E;
    }

    /** field-content bytes: HTAB, SP, VCHAR and obs-text (RFC 9110 5.5); everything else is a control byte. */
    private static boolean isFieldValueByte(byte b) {
        int u = b & 0xFF;
        return u == HT || u >= 0x20 && u != 0x7F;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }
}
