package io.strait.filters.transform;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the {@code transform} filters of one route (or listener) did with bodies, counted with lock-free adders and
 * exported as {@code strait_transform_bodies_total{route, result}} by {@link #registerMetrics}. Kept by route name
 * for the life of the process, so a reload (which builds new filters) never sets a counter back.
 */
public final class TransformMetrics {
    /** The process's counters by route ({@code listener:NAME} for a listener's filters). */
    private static final ConcurrentHashMap<String, TransformMetrics> BY_OWNER = new ConcurrentHashMap<>();

    private final LongAdder requestBodiesChanged = new LongAdder();
    private final LongAdder responseBodiesChanged = new LongAdder();
    private final LongAdder responsesInvalidJson = new LongAdder();
    private final LongAdder responsesOverLimit = new LongAdder();
    private final LongAdder responsesEncoded = new LongAdder();

    /** The counters of a route's (or listener's) transform filters. */
    static TransformMetrics of(String owner) {
        return BY_OWNER.computeIfAbsent(owner, o -> new TransformMetrics());
    }

    /** Registers {@code strait_transform_bodies_total} (a role's filter module calls it once, with its registry). */
    public static void registerMetrics(PrometheusRegistry registry) {
        CounterWithCallback.builder()
                .name("strait_transform_bodies_total")
                .help("JSON bodies seen by transform filters, by route and result (request_changed, response_changed;"
                        + " response_invalid_json, response_over_limit and response_encoded were relayed unchanged)")
                .labelNames("route", "result")
                .callback(cb -> BY_OWNER.forEach((owner, m) -> {
                    cb.call(m.requestBodiesChanged(), owner, "request_changed");
                    cb.call(m.responseBodiesChanged(), owner, "response_changed");
                    cb.call(m.responsesInvalidJson(), owner, "response_invalid_json");
                    cb.call(m.responsesOverLimit(), owner, "response_over_limit");
                    cb.call(m.responsesEncoded(), owner, "response_encoded");
                }))
                .register(registry);
    }

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
