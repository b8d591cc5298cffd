package io.strait.proxy.runtime;

import io.strait.config.model.ObservabilityConfig;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.observe.AccessLog;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.observe.Tracing;
import io.strait.proxy.observe.trace.SpanSinks;
import java.util.List;
import java.util.Objects;

/**
 * The access log and tracing a new configuration asks for: the running ones when their settings did not
 * change (no file reopened, no span dropped), new ones when they did. Built before the swap, so that a log
 * file that cannot be opened refuses the configuration.
 */
record Observers(AccessLog accessLog, Tracing tracing) {

    /** Adds an error naming the setting when a new one cannot be built; returns what it could build. */
    static Observers next(StraitConfig old, StraitConfig next, AccessLog runningLog, Tracing runningTracing,
            ProxyMetrics metrics, SpanSinks sinks, List<String> errors) {
        ObservabilityConfig before = old.observability();
        ObservabilityConfig after = next.observability();
        AccessLog log = runningLog;
        if (!Objects.equals(before.accessLog(), after.accessLog())) {
            try {
                log = AccessLog.create(after.accessLog(), metrics.accessLogDropCounter());
            } catch (RuntimeException e) {
                errors.add("observability.accessLog.path: " + e.getMessage());
            }
        }
        Tracing tracing = runningTracing;
        if (!Objects.equals(before.tracing(), after.tracing())) {
            try {
                tracing = Tracing.create(after.tracing(), System.getenv(), sinks);
            } catch (RuntimeException e) {
                errors.add("observability.tracing: " + e.getMessage());
            }
        }
        return new Observers(log, tracing);
    }

    /** The configuration was refused: closes what was built for it, never the running ones. */
    void discardNew(AccessLog runningLog, Tracing runningTracing) {
        if (accessLog != runningLog) accessLog.close();
        if (tracing != runningTracing) tracing.close();
    }
}
