package io.strait.proxy.admin;

import io.strait.proxy.core.ApplyResult;
import io.strait.proxy.core.ConfigFormat;
import io.strait.proxy.core.Snapshot;
import io.strait.proxy.endpoint.UpstreamPools;
import io.strait.proxy.observe.ProxyMetrics;
import java.util.concurrent.CompletableFuture;

/**
 * What the admin API reads and controls of the process serving it (the proxy implements it): so the
 * admin package depends on nothing above it.
 */
public interface AdminTarget {
    /** The configuration generation serving now. */
    Snapshot snapshot();

    /** Whether every listener is bound and serving. */
    boolean ready();

    ProxyMetrics metrics();

    UpstreamPools pools();

    /** The last traces this process recorded, for {@code GET /traces}. */
    io.strait.proxy.observe.trace.RecentTraces recentTraces();

    /**
     * Reopens the access log file (after logrotate moved it), off the event loop; completes with the JSON
     * answer of {@code POST /logs/reopen}.
     */
    CompletableFuture<String> reopenLogsAsync();

    /** Reads the config file again, off the event loop. */
    CompletableFuture<ApplyResult> reloadAsync();

    /** Parses, validates and applies a whole document, off the event loop. */
    CompletableFuture<ApplyResult> applyDocumentAsync(String text, ConfigFormat format, String source);
}
