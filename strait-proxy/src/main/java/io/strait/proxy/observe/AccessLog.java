package io.strait.proxy.observe;

import io.strait.config.model.ObservabilityConfig;

/** STUB until the observe branch merges. */
public final class AccessLog implements AutoCloseable {
    public AccessLog(ObservabilityConfig.AccessLog config) {}
    public void log(ExchangeRecord r) {}
    @Override public void close() {}
}
