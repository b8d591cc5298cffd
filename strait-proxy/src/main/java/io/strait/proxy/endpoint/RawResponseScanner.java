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
 *
 * <p>With {@link Events} it also tells where each part of the response is, so that the {@link ResponseDecoder}
 * builds the messages from the checked bytes without parsing them a second time: the head's status line and
 * field lines (positions of the current head or trailer section, in buffer indexes), body pieces, the end.
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
    /** Largest head (status line and fields) or trailer section: Netty's 64 KiB for fields, 4 KiB for the line. */
    static final int MAX_SECTION_BYTES = 68 * 1024;

    /** What the decoder is told, as the bytes are checked; each call's positions are indexes of the scanned buffer. */
    interface Events {
        /** A head (interim or final) ended just before {@code next}; its parts are the scanner's positions. */
        void head(int next);

        /** Body bytes {@code [from, to)}; {@code last}: the final bytes of a Content-Length body (the message ends). */
        void body(int from, int to, boolean last);

        /** The message ended with no body bytes left ({@link #trailerFields()} fields in its trailer section). */
        void end();

        /** Bytes {@code [from, to)} of the protocol a {@code 101} switched to. */
        void passedThrough(int from, int to);
    }

    private static final Events NONE = new Events() {
        @Override
        public void head(int next) {}

        @Override
        public void body(int from, int to, boolean last) {}

        @Override
        public void end() {}

        @Override
        public void passedThrough(int from, int to) {}
    };

    private final Events events;
    // positions in the current head or trailer section (see shift)
    private int sectionStart = -1;
    /** A head or trailer section has begun and not ended. */
    private boolean sectionOpen;
    private int reasonFrom;
    private int reasonTo;
    /** Three per field: name start, colon, CR. */
    private int[] fields = new int[24];
    private int fieldCount;
    private boolean inTrailerSection;
    private boolean lastBodySent;

    private String problem;
    // the request in flight
    private boolean headRequest;
    private java.util.function.BooleanSupplier upgradeRequest;
    // the status line
    private int line;
    private int pos;
    private int status;

    RawResponseScanner() {
        this(NONE);
    }

    RawResponseScanner(Events events) {
        super(MAX_FIELDS, true);
        this.events = events;
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

    // --- positions of the current head or trailer section -------------------------------------------

    /** Whether the bytes from {@link #sectionStart()} on are a head or trailer section not yet complete. */
    boolean inSection() {
        return sectionOpen && inResponse();
    }

    /** Where the current head or trailer section starts; -1 before its first byte. */
    int sectionStart() {
        return sectionStart;
    }

    /** The section's bytes moved by {@code delta} (into a buffer that gathers a section split over reads). */
    void shift(int delta) {
        sectionStart += delta;
        reasonFrom += delta;
        reasonTo += delta;
        for (int i = 0; i < fieldCount * 3; i++) fields[i] += delta;
        shiftFieldPositions(delta);
    }

    /** Gives up: the section is longer than {@link #MAX_SECTION_BYTES}. */
    void sectionTooLarge() {
        failWith("response head too large");
    }

    int status() {
        return status;
    }

    boolean http10() {
        return http10;
    }

    int reasonFrom() {
        return reasonFrom;
    }

    int reasonTo() {
        return reasonTo;
    }

    /** Fields of the section: field {@code i}'s name starts at {@code fields()[3i]}, its colon and CR follow. */
    int[] fields() {
        return fields;
    }

    int fieldCount() {
        return fieldCount;
    }

    /** Fields in the trailer section of the message that just ended. */
    int trailerFields() {
        return inTrailerSection ? fieldCount : 0;
    }

    @Override
    protected void fieldEnded(int name, int colon, int cr) {
        int i = fieldCount * 3;
        if (i == fields.length) fields = java.util.Arrays.copyOf(fields, i * 2);
        fields[i] = name;
        fields[i + 1] = colon;
        fields[i + 2] = cr;
        fieldCount++;
    }

    @Override
    protected void trailersStarted(int index) {
        sectionStart = index;
        sectionOpen = true;
        fieldCount = 0;
        inTrailerSection = true;
    }

    @Override
    protected void body(int from, int to, boolean last) {
        lastBodySent = last;
        events.body(from, to, last);
    }

    @Override
    protected void passedThrough(int from, int to) {
        events.passedThrough(from, to);
    }

    @Override
    protected int startLine(byte[] a, int p, int n, int base) {
        while (p < n) {
            byte b = a[p];
            switch (line) {
                case VERSION:
                    if (pos == 0) {
                        sectionStart = base + p;
                        sectionOpen = true;
                    }
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
                    if (b == SP) {
                        line = REASON;
                        reasonFrom = base + p + 1;
                    } else if (b == CR) { // no reason phrase and no space before it: harmless
                        line = STATUS_LINE_LF;
                        reasonFrom = reasonTo = base + p;
                    } else {
                        return failAt(p, "malformed status code");
                    }
                    break;
                case REASON:
                    while (p < n && HttpBytes.isFieldValueByte(a[p])) p++;
                    if (p == n) return p;
                    b = a[p];
                    if (b != CR) return failAt(p, b == LF ? Problem.BARE_LF.message : "control character in the reason phrase");
                    reasonTo = base + p;
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
    protected void endHead(int next) {
        sectionOpen = false;
        if (next - sectionStart > MAX_SECTION_BYTES) {
            sectionTooLarge();
            return;
        }
        if (status < 200) {
            if (status == 101) {
                if (upgradeRequest == null || !upgradeRequest.getAsBoolean()) {
                    failWith("101 Switching Protocols without an upgrade request");
                    return;
                }
                events.head(next);
                events.end();
                passThrough(); // the connection now carries the upgraded protocol
                return;
            }
            events.head(next);
            events.end();
            newStatusLine(); // interim: the final response follows
            restartHead();
            return;
        }
        events.head(next);
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
        if (inTrailerSection && sectionStart >= 0 && position() + 1 - sectionStart > MAX_SECTION_BYTES) {
            sectionTooLarge();
            return;
        }
        sectionOpen = false;
        if (!lastBodySent) events.end();
        resetMessage(IDLE);
        sectionStart = -1;
    }

    private void newStatusLine() {
        line = VERSION;
        pos = 0;
        status = 0;
        sectionStart = -1;
        sectionOpen = false;
        fieldCount = 0;
        inTrailerSection = false;
        lastBodySent = false;
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
