package io.strait.proxy.endpoint;

import io.netty.buffer.ByteBuf;
import io.strait.proxy.http.Http1FramingScanner;
import io.strait.proxy.http.HttpBytes;

/**
 * A byte-level checker of HTTP/1.x response framing (RFC 9112), run over an upstream's raw bytes before
 * Netty's decoder: the upstream is held to the same rules as a client (see docs/http-hardening.md; the shared
 * field and body rules are {@link Http1FramingScanner}'s). Here: an exact status line ({@code HTTP/1.0} or
 * {@code HTTP/1.1}, a three-digit status 100-599), a Transfer-Encoding of exactly {@code chunked}, the
 * bodies that responses to HEAD and 1xx/204/304 do not have, and a {@code 101} only after an upgrade request.
 * A response to no request (bytes while idle, or after a complete response in the same read) is refused
 * too: it would become the answer to the next request.
 *
 * <p>A response without a length is read until the connection closes. One instance per connection.
 */
final class RawResponseScanner extends Http1FramingScanner {
    /** Header fields (or trailer fields) per response: twice Envoy's default of 100, as responses carry Set-Cookie lists. */
    static final int MAX_FIELDS = 200;

    private static final String NO_REQUEST = "data from the upstream with no request in flight";
    private static final byte[] HTTP_1 = {'H', 'T', 'T', 'P', '/', '1', '.'};
    // sub-states of the status line
    private static final int VERSION = 0;
    private static final int STATUS = 1;
    private static final int STATUS_END = 2;
    private static final int REASON = 3;
    private static final int STATUS_LINE_LF = 4;

    private String problem;
    // the request in flight
    private boolean headRequest;
    private java.util.function.BooleanSupplier upgradeRequest;
    // the status line
    private int line;
    private int pos;
    private int status;

    RawResponseScanner() {
        super(MAX_FIELDS, true);
    }

    /**
     * A request was written: its response may now arrive. {@code head}: the request is a HEAD (no body
     * follows the response head); {@code upgrade}: whether the request asked for a protocol upgrade (only then
     * is a {@code 101} acceptable), asked only when a 101 arrives.
     */
    void requestSent(boolean head, java.util.function.BooleanSupplier upgrade) {
        if (!isIdle()) return; // an earlier response still in progress: its framing rules stay
        headRequest = head;
        upgradeRequest = upgrade;
        newStatusLine();
        resetMessage(START_LINE);
    }

    /** Whether a response is being read (its head, or its body up to a known end). */
    boolean inResponse() {
        return inMessage();
    }

    /**
     * Scans the readable bytes of {@code buf} without moving its indexes.
     *
     * @return -1 when every byte is acceptable, else the index of the first offending byte ({@link #problem()})
     */
    int scan(ByteBuf buf) {
        return check(buf);
    }

    /** Why the scan failed (a fixed text, never upstream bytes); null while all is well. */
    String problem() {
        return problem;
    }

    @Override
    protected int startLine(byte[] a, int p, int n, int base) {
        while (p < n) {
            byte b = a[p];
            switch (line) {
                case VERSION:
                    if (!version(b)) return p;
                    break;
                case STATUS:
                    if (b < '0' || b > '9') return failAt(p, "malformed status code");
                    status = status * 10 + (b - '0');
                    if (++pos == 3) {
                        if (status < 100 || status > 599) return failAt(p, "status code outside 100-599");
                        line = STATUS_END;
                    }
                    break;
                case STATUS_END:
                    if (b == SP) line = REASON;
                    else if (b == CR) line = STATUS_LINE_LF; // no reason phrase and no space before it: harmless
                    else return failAt(p, "malformed status code");
                    break;
                case REASON:
                    while (p < n && HttpBytes.isFieldValueByte(a[p])) p++;
                    if (p == n) return p;
                    b = a[p];
                    if (b != CR) return failAt(p, b == LF ? Problem.BARE_LF.message : "control character in the reason phrase");
                    line = STATUS_LINE_LF;
                    break;
                default: // STATUS_LINE_LF
                    if (b != LF) return failAt(p, Problem.BARE_CR.message);
                    startFields();
                    return p + 1;
            }
            p++;
        }
        return p;
    }

    /** {@code HTTP/1.0} or {@code HTTP/1.1}, then exactly one SP. */
    private boolean version(byte b) {
        int at = pos++;
        if (at < HTTP_1.length) {
            return b == HTTP_1[at] || failWith("malformed status line");
        }
        if (at == HTTP_1.length) {
            if (b != '0' && b != '1') return failWith("unsupported HTTP version in the status line");
            http10 = b == '0';
            return true;
        }
        if (b != SP) return failWith("malformed status line");
        line = STATUS;
        pos = 0;
        status = 0;
        return true;
    }

    @Override
    protected void endHead() {
        if (status < 200) {
            if (status == 101) {
                if (upgradeRequest == null || !upgradeRequest.getAsBoolean()) {
                    failWith("101 Switching Protocols without an upgrade request");
                    return;
                }
                passThrough(); // the connection now carries the upgraded protocol
                return;
            }
            newStatusLine(); // interim: the final response follows
            restartHead();
            return;
        }
        if (headRequest || status == 204 || status == 304) messageComplete();
        else if (hasTransferEncoding()) chunkedBody();
        else if (hasContentLength()) fixedBody(contentLength());
        else bodyUntilClose();
    }

    /**
     * Only {@code chunked} itself: a proxy cannot pass on a coding it does not decode, and any other final
     * coding would make the body end at the connection's close (RFC 9112 6.3).
     */
    @Override
    protected boolean otherTransferEncoding(String value) {
        problem = "Transfer-Encoding other than chunked";
        return false;
    }

    @Override
    protected void failed(Problem p) {
        problem = p == Problem.UNEXPECTED_DATA ? NO_REQUEST : p.message;
    }

    @Override
    protected void messageComplete() {
        resetMessage(IDLE);
    }

    private void newStatusLine() {
        line = VERSION;
        pos = 0;
        status = 0;
    }

    private int failAt(int p, String why) {
        failWith(why);
        return p;
    }

    private boolean failWith(String why) {
        problem = why;
        return failRecorded();
    }
}
