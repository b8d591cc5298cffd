package io.strait.proxy.observe;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One callback gauge metric fed by any number of {@link GaugeSource}s, each registered under a key.
 * (A family made by {@link ProxyMetrics#callbackCounter} is exported as a counter instead: its
 * sources report totals that only grow.)
 *
 * <p>Built for config reloads: registering a source under a key that is already taken replaces the
 * old source, and closing the old registration afterwards does not remove its replacement. Samples
 * with the same label values from several sources are summed (so, e.g., one pool per event loop can
 * each report the same endpoint); malformed samples and failing sources are skipped and counted, so
 * a bad source never breaks a scrape.
 */
public final class GaugeFamily {

    /** Removes one registration; idempotent. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private final String name;
    private final List<String> labelNames;
    private final Map<String, GaugeSource> sources = new ConcurrentHashMap<>();
    private final LongAdder badSamples = new LongAdder();

    GaugeFamily(PrometheusRegistry registry, String name, String help, List<String> labelNames) {
        this(registry, name, help, labelNames, false);
    }

    GaugeFamily(PrometheusRegistry registry, String name, String help, List<String> labelNames, boolean counter) {
        this.name = name;
        this.labelNames = List.copyOf(labelNames);
        if (counter) {
            CounterWithCallback.builder()
                    .name(name)
                    .help(help)
                    .labelNames(labelNames.toArray(String[]::new))
                    .callback(cb -> collect(cb::call))
                    .register(registry);
        } else {
            GaugeWithCallback.builder()
                    .name(name)
                    .help(help)
                    .labelNames(labelNames.toArray(String[]::new))
                    .callback(cb -> collect(cb::call))
                    .register(registry);
        }
    }

    /** Where {@link #collect} delivers the summed samples. */
    private interface Out {
        void call(double value, String... labelValues);
    }

    public String name() {
        return name;
    }

    public List<String> labelNames() {
        return labelNames;
    }

    /**
     * Adds {@code source} under {@code key}, replacing what was registered under that key.
     *
     * @return closes this registration only (a later replacement stays)
     */
    public Registration register(String key, GaugeSource source) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(source, "source");
        sources.put(key, source);
        return () -> sources.remove(key, source);
    }

    /** Samples skipped since start: wrong label count, null label, or a source that threw. */
    public long badSampleCount() {
        return badSamples.sum();
    }

    private void collect(Out callback) {
        Map<List<String>, double[]> sums = new LinkedHashMap<>();
        GaugeSource.Sink sink = (value, labelValues) -> {
            if (labelValues == null || labelValues.length != labelNames.size()
                    || Arrays.asList(labelValues).contains(null)) {
                badSamples.increment();
                return;
            }
            sums.computeIfAbsent(List.of(labelValues), k -> new double[1])[0] += value;
        };
        for (GaugeSource source : sources.values()) {
            try {
                source.collect(sink);
            } catch (RuntimeException e) {
                badSamples.increment();
            }
        }
        sums.forEach((labels, sum) -> callback.call(sum[0], labels.toArray(String[]::new)));
    }
}
