package io.strait.proxy.observe;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The W3C trace context of this proxy's hop: {@code traceparent} ids and flags plus the opaque
 * {@code tracestate}, which is passed through unchanged.
 *
 * @param traceId 32 lower-case hex digits, not all zero
 * @param spanId this hop's span id: 16 lower-case hex digits, not all zero
 * @param parentSpanId the caller's span id, or {@code null} when this hop started the trace
 * @param sampled whether the trace is recorded (trace-flags bit 0)
 * @param traceState the incoming {@code tracestate} header, or {@code null}
 */
public record TraceContext(String traceId, String spanId, String parentSpanId, boolean sampled, String traceState) {

    /** The only version this proxy writes; later versions are read as far as version 00 goes. */
    static final String VERSION = "00";

    /** Length of a version-00 {@code traceparent}: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
    static final int TRACEPARENT_LENGTH = 55;

    private static final int SAMPLED_FLAG = 0x01;

    /** The {@code traceparent} to send upstream: this hop's span becomes the upstream's parent. */
    public String traceparent() {
        return traceparent(spanId);
    }

    /** The {@code traceparent} naming {@code span} (a client span of this hop) as the upstream's parent. */
    public String traceparent(String span) {
        return VERSION + '-' + traceId + '-' + span + (sampled ? "-01" : "-00");
    }

    /** {@link #check}: the header is absent or invalid. */
    public static final int INVALID = 0;
    /** {@link #check}: a valid header whose sampled flag is not set. */
    public static final int NOT_SAMPLED = 1;
    /** {@link #check}: a valid header whose sampled flag is set. */
    public static final int SAMPLED = 2;

    /**
     * Whether {@code header} is a valid {@code traceparent}, and its sampled flag, without allocating
     * anything: an unsampled request is decided before any object is made.
     */
    public static int check(CharSequence header) {
        if (!valid(header)) return INVALID;
        int flags = Character.digit(header.charAt(54), 16);
        return (flags & SAMPLED_FLAG) != 0 ? SAMPLED : NOT_SAMPLED;
    }

    /** The ids and flags of an incoming {@code traceparent}. */
    public record Parent(String traceId, String spanId, boolean sampled) {}

    /**
     * Parses a {@code traceparent} header as the W3C Trace Context spec says: lower-case hex only,
     * version {@code ff} and all-zero ids are invalid, version 00 must be exactly 55 characters,
     * and a later version is read by its version-00 prefix (longer only when followed by {@code -}).
     *
     * @return the parent, or {@code null} when the header is absent or invalid (start a new trace)
     */
    public static Parent parse(CharSequence header) {
        if (!valid(header)) return null;
        int flags = Character.digit(header.charAt(53), 16) << 4 | Character.digit(header.charAt(54), 16);
        return new Parent(header.subSequence(3, 35).toString(), header.subSequence(36, 52).toString(),
                (flags & SAMPLED_FLAG) != 0);
    }

    private static boolean valid(CharSequence header) {
        if (header == null) return false;
        int len = header.length();
        if (len < TRACEPARENT_LENGTH) return false;
        if (!isHex(header, 0, 2) || header.charAt(2) != '-') return false;
        boolean version00 = header.charAt(0) == '0' && header.charAt(1) == '0';
        if (header.charAt(0) == 'f' && header.charAt(1) == 'f') return false;
        if (version00 ? len != TRACEPARENT_LENGTH : len > TRACEPARENT_LENGTH && header.charAt(TRACEPARENT_LENGTH) != '-') {
            return false;
        }
        if (!isHex(header, 3, 35) || header.charAt(35) != '-') return false;
        if (!isHex(header, 36, 52) || header.charAt(52) != '-') return false;
        if (!isHex(header, 53, 55)) return false;
        return !isZero(header, 3, 35) && !isZero(header, 36, 52);
    }

    /** A new random trace id: 32 lower-case hex digits, never all zero. */
    static String newTraceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long hi;
        long lo;
        do {
            hi = random.nextLong();
            lo = random.nextLong();
        } while (hi == 0 && lo == 0);
        return hex16(hi) + hex16(lo);
    }

    /** A new random span id: 16 lower-case hex digits, never all zero. */
    static String newSpanId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long id;
        do {
            id = random.nextLong();
        } while (id == 0);
        return hex16(id);
    }

    private static String hex16(long v) {
        String s = Long.toHexString(v);
        return s.length() == 16 ? s : "0".repeat(16 - s.length()) + s;
    }

    private static boolean isHex(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
        }
        return true;
    }

    private static boolean isZero(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '0') return false;
        }
        return true;
    }
}
