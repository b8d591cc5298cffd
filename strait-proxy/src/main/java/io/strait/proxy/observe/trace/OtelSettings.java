package io.strait.proxy.observe.trace;

import io.strait.config.load.ConfigLoader;
import io.strait.config.model.ObservabilityConfig;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tracing settings from the configuration and the standard OpenTelemetry environment variables.
 *
 * <p>Precedence: a value set in the configuration wins; an {@code OTEL_*} variable fills in what it leaves
 * unset (the OpenTelemetry SDKs let code configuration override the environment, and Strait's file is its
 * code configuration); a signal-specific variable ({@code OTEL_EXPORTER_OTLP_TRACES_*}) wins over the
 * general one. {@code OTEL_SDK_DISABLED=true} is an operator's switch and wins over everything: no export.
 * The OTLP endpoint follows the specification: {@code OTEL_EXPORTER_OTLP_ENDPOINT} is a base to which
 * {@code /v1/traces} is appended; {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} is used as given; the config's
 * {@code otlpEndpoint} is used as given when it has a path, else {@code /v1/traces} is appended.
 *
 * @param tracesEndpoint the full OTLP/HTTP traces URL, or null when nothing is exported
 * @param headers sent with every export (authentication): values are secrets
 * @param resource {@code service.name} and the other resource attributes
 * @param sampleRatio the share of new traces recorded
 * @param ratioSet whether the configuration or the environment chose the ratio (else the default applies)
 * @param parentBased whether an incoming {@code traceparent}'s sampled flag decides (the default)
 * @param warnings what was ignored, for the log (never a header value)
 */
public record OtelSettings(String tracesEndpoint, Map<String, String> headers, String serviceName, Map<String, String> resource,
        double sampleRatio, boolean ratioSet, boolean parentBased, Duration timeout, String compression, List<String> warnings) {

    /** OTLP/HTTP traces path, appended to a base URL. */
    public static final String TRACES_PATH = "/v1/traces";
    /** An export request may take this long (the specification's default for {@code OTEL_EXPORTER_OTLP_TIMEOUT}). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Resolves {@code config} (null: none) against {@code env} (the process's: {@link System#getenv()}). */
    public static OtelSettings resolve(ObservabilityConfig.Tracing config, Map<String, String> env) {
        List<String> warnings = new ArrayList<>();
        boolean disabled = "true".equalsIgnoreCase(trim(env.get("OTEL_SDK_DISABLED")));
        String endpoint = endpoint(config, env, warnings);
        if (disabled && endpoint != null) {
            warnings.add("OTEL_SDK_DISABLED=true: spans are not exported to " + endpoint);
            endpoint = null;
        }
        String protocol = first(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL");
        if (endpoint != null && protocol != null && !protocol.equals("http/protobuf")) {
            warnings.add("OTEL_EXPORTER_OTLP_PROTOCOL=" + protocol + " is not supported: spans go over http/protobuf");
        }
        Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER); // one value per name, as HTTP
        keyValues(env.get("OTEL_EXPORTER_OTLP_HEADERS"), "OTEL_EXPORTER_OTLP_HEADERS", headers, warnings);
        keyValues(env.get("OTEL_EXPORTER_OTLP_TRACES_HEADERS"), "OTEL_EXPORTER_OTLP_TRACES_HEADERS", headers, warnings);
        if (config != null) headers.putAll(config.headers());
        Map<String, String> resource = new LinkedHashMap<>();
        keyValues(env.get("OTEL_RESOURCE_ATTRIBUTES"), "OTEL_RESOURCE_ATTRIBUTES", resource, warnings);
        String service = config != null && config.serviceName() != null ? config.serviceName()
                : trim(env.get("OTEL_SERVICE_NAME")) != null ? trim(env.get("OTEL_SERVICE_NAME"))
                : resource.getOrDefault("service.name", ConfigLoader.DEFAULT_SERVICE_NAME);
        resource.put("service.name", service);
        double ratio = ConfigLoader.DEFAULT_SAMPLE_RATIO;
        boolean ratioSet = false;
        boolean parentBased = true;
        if (config != null && config.sampleRatio() != null) {
            ratio = config.sampleRatio();
            ratioSet = true;
        } else {
            Sampler s = sampler(env, warnings);
            if (s != null) {
                ratio = s.ratio();
                parentBased = s.parentBased();
                ratioSet = true;
            }
        }
        Duration timeout = DEFAULT_TIMEOUT;
        String t = first(env, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT");
        if (t != null) {
            try {
                long ms = Long.parseLong(t);
                if (ms > 0) timeout = Duration.ofMillis(ms);
                else warnings.add("OTEL_EXPORTER_OTLP_TIMEOUT=" + t + " is not a positive number of milliseconds: ignored");
            } catch (NumberFormatException e) {
                warnings.add("OTEL_EXPORTER_OTLP_TIMEOUT=" + t + " is not a number of milliseconds: ignored");
            }
        }
        String compression = first(env, "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION");
        if (compression != null && !compression.equals("gzip") && !compression.equals("none")) {
            warnings.add("OTEL_EXPORTER_OTLP_COMPRESSION=" + compression + " is not gzip or none: ignored");
            compression = null;
        }
        return new OtelSettings(endpoint, java.util.Collections.unmodifiableMap(headers), service, Map.copyOf(resource), ratio, ratioSet, parentBased,
                timeout, compression, List.copyOf(warnings));
    }

    /** The traces URL: the config's, else the signal's variable as given, else the general one plus the path. */
    static String endpoint(ObservabilityConfig.Tracing config, Map<String, String> env, List<String> warnings) {
        if (config != null && config.otlpEndpoint() != null) return configEndpoint(config.otlpEndpoint());
        String exporter = trim(env.get("OTEL_TRACES_EXPORTER"));
        if (exporter != null && exporter.equals("none")) return null;
        if (exporter != null && !exporter.equals("otlp")) {
            warnings.add("OTEL_TRACES_EXPORTER=" + exporter + " is not supported (otlp or none): spans go over OTLP");
        }
        String traces = trim(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        if (traces != null) return traces;
        String base = trim(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"));
        if (base != null) return stripSlash(base) + TRACES_PATH;
        return null;
    }

    /** A URL with a path is the traces endpoint itself; a bare base ({@code http://collector:4318}) gets the path. */
    static String configEndpoint(String url) {
        String path = URI.create(url).getRawPath();
        return path == null || path.isEmpty() || path.equals("/") ? stripSlash(url) + TRACES_PATH : url;
    }

    private record Sampler(double ratio, boolean parentBased) {}

    /** {@code OTEL_TRACES_SAMPLER} and its {@code _ARG}; null when unset or not one Strait knows. */
    private static Sampler sampler(Map<String, String> env, List<String> warnings) {
        String name = trim(env.get("OTEL_TRACES_SAMPLER"));
        if (name == null) return null;
        String arg = trim(env.get("OTEL_TRACES_SAMPLER_ARG"));
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "always_on" -> new Sampler(1.0, false);
            case "always_off" -> new Sampler(0.0, false);
            case "traceidratio" -> new Sampler(ratioArg(arg, warnings), false);
            case "parentbased_always_on" -> new Sampler(1.0, true);
            case "parentbased_always_off" -> new Sampler(0.0, true);
            case "parentbased_traceidratio" -> new Sampler(ratioArg(arg, warnings), true);
            default -> {
                warnings.add("OTEL_TRACES_SAMPLER=" + name + " is not supported (always_on, always_off, traceidratio and their"
                        + " parentbased_ forms): the default sampler applies");
                yield null;
            }
        };
    }

    /** The specification's default ratio is 1.0 when the argument is missing or invalid. */
    private static double ratioArg(String arg, List<String> warnings) {
        if (arg == null) return 1.0;
        try {
            double r = Double.parseDouble(arg);
            if (r >= 0 && r <= 1) return r;
        } catch (NumberFormatException e) {
            // reported below
        }
        warnings.add("OTEL_TRACES_SAMPLER_ARG=" + arg + " is not a ratio from 0 to 1: 1.0 applies");
        return 1.0;
    }

    /**
     * {@code key1=value1,key2=value2} with percent-encoded values (the W3C Baggage format the specification
     * uses for headers and resource attributes). A malformed entry is skipped and named by its key only.
     */
    static void keyValues(String text, String variable, Map<String, String> into, List<String> warnings) {
        if (text == null || text.isBlank()) return;
        for (String pair : text.split(",")) {
            if (pair.isBlank()) continue;
            int eq = pair.indexOf('=');
            String key = (eq < 0 ? pair : pair.substring(0, eq)).trim();
            if (eq <= 0 || key.isEmpty()) {
                warnings.add(variable + ": an entry without key=value was skipped");
                continue;
            }
            try {
                into.put(key, URLDecoder.decode(pair.substring(eq + 1).trim().replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                warnings.add(variable + ": the value of '" + key + "' is not percent-encoded properly: skipped");
            }
        }
    }

    private static String first(Map<String, String> env, String specific, String general) {
        String v = trim(env.get(specific));
        return v != null ? v : trim(env.get(general));
    }

    private static String trim(String s) {
        if (s == null) return null;
        s = s.trim();
        return s.isEmpty() ? null : s;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
