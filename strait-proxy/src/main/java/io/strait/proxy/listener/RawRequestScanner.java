package io.strait.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.strait.proxy.http.Http1FramingScanner;
import io.strait.proxy.http.HttpBytes;
import java.util.function.LongConsumer;

/**
 * A byte-level checker of HTTP/1.x request framing (RFC 9112), run over the raw bytes before Netty's decoder.
 * It enforces what the decoder accepts leniently: exact single-SP request line separators and a well-formed
 * version here, and {@link Http1FramingScanner}'s shared rules for the rest (CRLF as the only line ending, no
 * obs-fold, no whitespace before a header colon, token header names, no control characters, one
 * Content-Length or one Transfer-Encoding, never both, strict chunk lines).
 *
 * <p>To find the next pipelined head it follows the body framing itself: Content-Length bodies are skipped by
 * arithmetic, chunked bodies by reading only the chunk-size lines. Body bytes are never copied. State survives
 * across buffers, so heads split over many reads are checked the same way as whole ones.
 */
final class RawRequestScanner extends Http1FramingScanner {
    // sub-states of the request line
    private static final int REQUEST_START = 0;
    private static final int LEADING_LF = 1;
    private static final int METHOD = 2;
    private static final int TARGET_START = 3;
    private static final int TARGET = 4;
    private static final int VERSION = 5;
    private static final int REQUEST_LINE_LF = 6;
    private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};

    /** Tests watch where requests start, as offsets in the byte stream; null in production. */
    private LongConsumer requestStartListener;
    private long streamOffset;
    /** The stream offset of buffer index 0 during the current scan. */
    private long indexBase;
    private RequestProblem problem;
    private int requestStart = -1;

    private int line = REQUEST_START;
    private int versionPos;
    private int major;
    private int minor;

    RawRequestScanner(int maxHeaderCount) {
        super(maxHeaderCount, false);
    }

    /**
     * Scans the readable bytes of {@code buf} without moving its indexes.
     *
     * @return -1 when every byte is acceptable, else the index of the first offending byte ({@link #problem()})
     */
    int scan(ByteBuf buf) {
        requestStart = -1;
        indexBase = streamOffset - buf.readerIndex();
        streamOffset += buf.readableBytes();
        return check(buf);
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

    @Override
    protected int startLine(byte[] a, int p, int n, int base) {
        while (p < n) {
            byte b = a[p];
            switch (line) {
                case REQUEST_START:
                    if (b == CR) {
                        // RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request-line
                        line = LEADING_LF;
                    } else if (HttpBytes.isTchar(b)) {
                        line = METHOD;
                        requestStart = base + p;
                        if (requestStartListener != null) requestStartListener.accept(indexBase + base + p);
                    } else {
                        return failAt(p, b == LF ? bareLf() : RequestProblem.badRequest("request line must start with a method"));
                    }
                    break;
                case LEADING_LF:
                    if (b != LF) return failAt(p, bareCr());
                    line = REQUEST_START;
                    break;
                case METHOD:
                    while (p < n && HttpBytes.isTchar(a[p])) p++;
                    if (p == n) return p;
                    if (a[p] != SP) return failAt(p, RequestProblem.badRequest("invalid method or request line separator"));
                    line = TARGET_START;
                    break;
                case TARGET_START:
                    if (!isVisible(b)) {
                        return failAt(p, RequestProblem.badRequest(b == SP ? "request line separator must be one space"
                                : "invalid character in request target"));
                    }
                    line = TARGET;
                    break;
                case TARGET:
                    while (p < n && isVisible(a[p])) p++;
                    if (p == n) return p;
                    b = a[p];
                    if (b != SP) {
                        return failAt(p, RequestProblem.badRequest(b == CR || b == LF ? "request line has no HTTP version"
                                : "invalid character in request target"));
                    }
                    line = VERSION;
                    versionPos = 0;
                    break;
                case VERSION:
                    if (!version(b)) return p;
                    break;
                default: // REQUEST_LINE_LF
                    if (b != LF) return failAt(p, bareCr());
                    line = REQUEST_START;
                    startFields();
                    return p + 1;
            }
            p++;
        }
        return p;
    }

    private boolean version(byte b) {
        int at = versionPos++;
        if (at < HTTP_SLASH.length) {
            if (b == HTTP_SLASH[at]) return true;
        } else if (at == 5 || at == 7) {
            if (b >= '0' && b <= '9') {
                if (at == 5) major = b - '0';
                else minor = b - '0';
                return true;
            }
        } else if (at == 6) {
            if (b == '.') return true;
        } else if (at == 8 && b == LF) {
            return failWith(bareLf());
        } else if (at == 8 && b == CR) {
            // Well formed (HTTP/<digit>.<digit>, RFC 9112 2.3); only 1.0 and 1.1 are spoken here.
            if (major != 1 || minor > 1) return failWith(RequestProblem.versionNotSupported());
            http10 = minor == 0;
            line = REQUEST_LINE_LF;
            return true;
        }
        return failWith(RequestProblem.badRequest("malformed HTTP version"));
    }

    @Override
    protected void endHead(int next) {
        if (hasTransferEncoding()) chunkedBody();
        else fixedBody(hasContentLength() ? contentLength() : 0);
    }

    @Override
    protected boolean otherTransferEncoding(String value) {
        RequestHeadRules.Coding coding = value == null ? RequestHeadRules.Coding.INVALID
                : RequestHeadRules.classifyTransferEncoding(value);
        return switch (coding) {
            case CHUNKED -> true;
            case UNSUPPORTED -> failWith(RequestHeadRules.unsupportedCoding());
            case INVALID -> failWith(RequestHeadRules.invalidCoding());
        };
    }

    @Override
    protected void failed(Problem p) {
        problem = p == Problem.TOO_MANY_FIELDS ? RequestProblem.headerTooLarge(p.message) : RequestProblem.badRequest(p.message);
    }

    @Override
    protected void messageComplete() {
        requestStart = -1;
        line = REQUEST_START;
        resetMessage(START_LINE);
    }

    private int failAt(int p, RequestProblem why) {
        failWith(why);
        return p;
    }

    private boolean failWith(RequestProblem why) {
        problem = why;
        return failRecorded();
    }

    private static RequestProblem bareCr() {
        return RequestProblem.badRequest(Problem.BARE_CR.message);
    }

    private static RequestProblem bareLf() {
        return RequestProblem.badRequest(Problem.BARE_LF.message);
    }

    /** VCHAR: %x21-7E. Request targets are ASCII (RFC 9112 3.2, RFC 3986). */
    private static boolean isVisible(byte b) {
        return b >= 0x21 && b <= 0x7E;
    }
}
