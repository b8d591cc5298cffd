package io.strait.proxy.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.proxy.observe.ProxyMetrics;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What the admin API serves for the dashboard: the page ({@code GET /ui}), the last minute of request metrics
 * ({@code GET /stats/history}) and the recent errors ({@code GET /errors}). The page reads the rest from the
 * admin API's other endpoints ({@code /config}, {@code /clusters}, {@code /traces}). Read-only; owns the
 * once-a-second sampler.
 */
public final class Dashboard implements AutoCloseable {
    public static final String HISTORY = "/stats/history";
    public static final String ERRORS = "/errors";
    /** Every path answered here, all GET only. */
    public static final Set<String> PATHS = Set.of("/ui", "/ui/", HISTORY, ERRORS);
    /**
     * Made at the first JSON answer, not when the admin API binds: an {@code ObjectMapper} loads ~500 classes (~5 MiB
     * of a sidecar's idle memory), and most admin ports never serve the dashboard.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /**
     * A response body.
     *
     * @param contentSecurityPolicy the header's value, or null
     */
    public record Reply(String contentType, byte[] body, String contentSecurityPolicy) {}

    private final ProxyMetrics metrics;
    private final MetricsHistory history;

    private Dashboard(ProxyMetrics metrics, MetricsHistory history) {
        this.metrics = metrics;
        this.history = history;
    }

    /** Starts the sampler of {@code metrics}' registry. */
    public static Dashboard start(ProxyMetrics metrics) {
        return new Dashboard(metrics, MetricsHistory.start(metrics.registry()));
    }

    /** The answer to {@code GET path}, or null when the path is not the dashboard's. */
    public Reply answer(String path) {
        return switch (path) {
            case "/ui", "/ui/" -> {
                history.viewed();
                yield new Reply(UiAssets.CONTENT_TYPE, UiAssets.page(), UiAssets.CONTENT_SECURITY_POLICY);
            }
            case HISTORY -> {
                history.viewed();
                yield json(HistoryView.toJson(history.samples()));
            }
            case ERRORS -> json(ErrorsView.toJson(metrics.recentErrors()));
            default -> null;
        };
    }

    private static Reply json(ObjectNode node) {
        try {
            return new Reply("application/json", Json.MAPPER.writeValueAsString(node).getBytes(StandardCharsets.UTF_8), null);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        history.close();
    }
}
