package io.strait.config.model;

import java.util.List;
import java.util.Map;

/** Access log and tracing settings. */
public record ObservabilityConfig(AccessLog accessLog, Tracing tracing) {

    /**
     * One line per request.
     *
     * @param path {@code stdout}, {@code stderr}, or a file path
     * @param fields which fields each line has, in order
     * @param format a JSON object per line, or {@code key=value} pairs (logfmt)
     */
    public record AccessLog(boolean enabled, String path, List<String> fields, Format format) {
        public AccessLog {
            format = format == null ? Format.JSON : format;
        }

        /** A JSON access log. */
        public AccessLog(boolean enabled, String path, List<String> fields) {
            this(enabled, path, fields, Format.JSON);
        }

        /** How a line is written. */
        public enum Format {
            /** One JSON object per line. */
            JSON,
            /** {@code key=value} pairs separated by spaces (logfmt); a value with a space or a quote is a JSON string. */
            TEXT
        }
    }

    /**
     * W3C trace context is always propagated; spans are exported over OTLP/HTTP when {@code
     * otlpEndpoint} (or the {@code OTEL_EXPORTER_OTLP_*} environment) names a collector, and the last
     * {@code recentTraces} sampled traces are kept in memory for the admin API.
     *
     * @param otlpEndpoint the collector: a base URL ({@code /v1/traces} is appended) or a URL with a
     *     path (used as given); null: the environment's, else no export
     * @param serviceName the service name on spans; null: {@code OTEL_SERVICE_NAME}, else the default
     * @param sampleRatio the share of new traces recorded; null: {@code OTEL_TRACES_SAMPLER_ARG}, else the default
     * @param headers headers sent with every OTLP request (authentication); added to the environment's
     * @param recentTraces how many traces the admin API keeps (0: none)
     */
    public record Tracing(String otlpEndpoint, String serviceName, Double sampleRatio, Map<String, String> headers,
            int recentTraces) {

        public Tracing {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }
    }
}
