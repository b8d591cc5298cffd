package io.strait.proxy.filter;

/**
 * Which bodies a filter sees whole, and up to what size. Everything else streams: a filter that
 * declares nothing never holds up a byte. A body is read into one buffer only when a filter of the
 * chain asks for it; the exchange owns that buffer and releases it once.
 *
 * @param requestLimit the longest request body the filter reads whole, 0 for none
 * @param requestOver what a longer request body gets: {@link OverLimit#REJECT} is a 413, {@link OverLimit#PASS}
 *     sends it on unread (the filter's body callback is skipped)
 * @param responseLimit the longest response body the filter reads whole, 0 for none
 * @param responseOver what a longer response body gets: {@link OverLimit#REJECT} is a 502, {@link OverLimit#PASS}
 *     relays it unchanged
 */
public record BodyAccess(long requestLimit, OverLimit requestOver, long responseLimit, OverLimit responseOver) {
    public enum OverLimit { REJECT, PASS }

    /** Heads only: the filter's bodies stream past it. */
    public static final BodyAccess NONE = new BodyAccess(0, OverLimit.PASS, 0, OverLimit.PASS);

    public BodyAccess {
        if (requestLimit < 0 || responseLimit < 0) throw new IllegalArgumentException("body limits are >= 0");
    }

    /** The request body, whole, up to {@code limit} bytes. */
    public static BodyAccess request(long limit, OverLimit over) {
        return new BodyAccess(limit, over, 0, OverLimit.PASS);
    }

    /** The response body, whole, up to {@code limit} bytes. */
    public static BodyAccess response(long limit, OverLimit over) {
        return new BodyAccess(0, OverLimit.PASS, limit, over);
    }

    /** This access and the response access of {@code other}'s (for a filter that reads both). */
    public BodyAccess withResponse(long limit, OverLimit over) {
        return new BodyAccess(requestLimit, requestOver, limit, over);
    }

    public boolean readsRequest() {
        return requestLimit > 0;
    }

    public boolean readsResponse() {
        return responseLimit > 0;
    }
}
