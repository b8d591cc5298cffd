package io.strait.proxy.observe;

/**
 * Something that reports gauge values when {@code /metrics} is scraped: a connection pool (active
 * and idle connections), a cluster (pending requests, endpoint health). Called on the scrape thread;
 * implementations read their own state (atomics, volatile fields) and must not block.
 */
@FunctionalInterface
public interface GaugeSource {

    /** Reports the current samples, one {@link Sink#sample} call per label set. */
    void collect(Sink sink);

    /** Receives samples; label values in the order of the family's label names. */
    @FunctionalInterface
    interface Sink {
        void sample(double value, String... labelValues);
    }
}
