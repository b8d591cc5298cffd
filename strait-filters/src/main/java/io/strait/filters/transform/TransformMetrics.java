package io.strait.filters.transform;

import java.util.concurrent.atomic.LongAdder;

/** What one {@code transform} filter did with bodies, counted for operators and tests (lock-free adders). */
public final class TransformMetrics {
    private final LongAdder requestBodiesChanged = new LongAdder();
    private final LongAdder responseBodiesChanged = new LongAdder();
    private final LongAdder responsesInvalidJson = new LongAdder();
    private final LongAdder responsesOverLimit = new LongAdder();
    private final LongAdder responsesEncoded = new LongAdder();

    void requestBodyChanged() { requestBodiesChanged.increment(); }
    void responseBodyChanged() { responseBodiesChanged.increment(); }
    void responseInvalidJson() { responsesInvalidJson.increment(); }
    void responseOverLimit() { responsesOverLimit.increment(); }
    void responseEncoded() { responsesEncoded.increment(); }

    /** Request bodies changed and sent on. */
    public long requestBodiesChanged() { return requestBodiesChanged.sum(); }
    /** Response bodies changed. */
    public long responseBodiesChanged() { return responseBodiesChanged.sum(); }
    /** JSON-typed responses that were not valid JSON (or not valid gzip): relayed unchanged. */
    public long responsesInvalidJson() { return responsesInvalidJson.sum(); }
    /** gzip responses whose decoded body was over maxSize: relayed unchanged, or a 502 with overLimit: reject. */
    public long responsesOverLimit() { return responsesOverLimit.sum(); }
    /** JSON responses in an encoding other than gzip (br, deflate, zstd): relayed unchanged. */
    public long responsesEncoded() { return responsesEncoded.sum(); }
}
