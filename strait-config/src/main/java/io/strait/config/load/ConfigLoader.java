package io.strait.config.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.config.model.CircuitBreakerConfig.FailureRate;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.ClusterConfig.UpstreamProtocol;
import io.strait.config.model.ConfigReferences;
import io.strait.config.model.HostPort;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.RateLimitPolicy.OnStoreError;
import io.strait.config.model.RateLimitsConfig;
import io.strait.config.model.RateLimitsConfig.StoreType;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.StraitConfig;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a YAML file into an immutable {@link StraitConfig}, checking everything in one pass and
 * reporting every error with its path ({@code routes[2].cluster: unknown cluster 'userz'}). The readers check
 * the document; the model they built then goes through {@link ConfigValidator}, the pass every model gets
 * (a file, {@code PUT /config}, or one built by code).
 *
 * <p>The public constants are the defaults of settings left out; docs/configuration.md lists them.
 */
public final class ConfigLoader {
    // ---- process and admin
    /** Loopback, Istio's familiar admin port: the admin API reloads config, so it is never public by default. */
    public static final HostPort DEFAULT_ADMIN = new HostPort("127.0.0.1", 9901);
    /** 128 bits of a random hex or base64 string: a shorter token could be guessed. */
    public static final int MIN_ADMIN_TOKEN_LENGTH = 16;
    /** As long as the default route timeout: a request started just before shutdown can still finish. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(15);

    // ---- listeners
    /** Loopback: serving every interface must be a deliberate choice; 8080 is the usual plain-HTTP port. */
    public static final HostPort DEFAULT_LISTENER = new HostPort("127.0.0.1", 8080);
    /** The name of the listener created when the file configures none. */
    public static final String DEFAULT_LISTENER_NAME = "http";
    /** Envoy's default cap on request headers is 60 KiB, nginx's 4 x 8 KiB: 32 KiB sits between. */
    public static final int DEFAULT_MAX_HEADER_SIZE = 32 * 1024;
    /** nginx refuses request lines past 8 KiB (large_client_header_buffers 4 8k); longer URLs are abuse. */
    public static final int DEFAULT_MAX_REQUEST_LINE = 8 * 1024;
    /** Envoy's default limit of headers per request. */
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    /** Bodies stream through without being buffered, so size costs no memory; limit it per route where it matters. */
    public static final long DEFAULT_MAX_REQUEST_BODY_SIZE = 0;
    /** Slowloris defence: a client gets this long to send its headers (nginx client_header_timeout is 60s). */
    public static final Duration DEFAULT_REQUEST_HEADERS_TIMEOUT = Duration.ofSeconds(30);
    /** None: a whole-request deadline would cut large uploads; the route timeout already bounds the wait. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ZERO;
    /** Keep-alive connections with nothing in flight close after this (Envoy: 1h, nginx: 75s). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Trust nothing a client says about earlier hops: the client address is the connection's peer. */
    public static final int DEFAULT_XFF_TRUSTED_HOPS = 0;
    /** Shorter request-line limits would refuse ordinary requests. */
    public static final int MIN_REQUEST_LINE = 256;
    /** Smaller header limits would refuse ordinary browsers (cookies, user agents). */
    public static final int MIN_HEADER_SIZE = 1024;
    /** Upper bound of maxHeaderCount: more headers than this is an attack, not a request. */
    public static final int MAX_HEADER_COUNT = 10_000;
    /** Upper bound of xffTrustedHops: real proxy chains are a few hops long. */
    public static final int MAX_XFF_TRUSTED_HOPS = 10;

    // ---- listener TLS
    /** Mozilla's "intermediate" profile: TLS 1.2 still serves older clients; nothing before it is safe. */
    public static final String DEFAULT_TLS_MIN_VERSION = "TLSv1.2";
    /** HTTP/2 first (one connection, multiplexed), HTTP/1.1 for clients without it. */
    public static final List<String> DEFAULT_ALPN = List.of("h2", "http/1.1");
    /** A renewed certificate is served within seconds, for the cost of a stat() per file. */
    public static final Duration DEFAULT_TLS_RELOAD_CHECK_INTERVAL = Duration.ofSeconds(10);
    /** One year: the minimum the HSTS preload list accepts. */
    public static final Duration DEFAULT_HSTS_MAX_AGE = Duration.ofDays(365);
    /** The standard https port, which a browser then leaves out of the URL. */
    public static final int DEFAULT_HTTPS_REDIRECT_PORT = 443;

    // ---- clusters
    /** Needs no state and no tuning, and spreads load evenly when endpoints are alike. */
    public static final LoadBalancerKind DEFAULT_LOAD_BALANCER = LoadBalancerKind.ROUND_ROBIN;
    /** Every upstream speaks HTTP/1.1; h2c must be known to work, so it is asked for. */
    public static final UpstreamProtocol DEFAULT_UPSTREAM_PROTOCOL = UpstreamProtocol.HTTP1;
    /** Equal weights: endpoints are alike unless said otherwise. */
    public static final int DEFAULT_ENDPOINT_WEIGHT = 1;
    /** Upper bound of an endpoint weight: enough for 0.1% steps, small enough to keep schedules short. */
    public static final int MAX_ENDPOINT_WEIGHT = 1000;
    /** Envoy's overprovisioning factor 1.4 keeps a zone whole until fewer than 1/1.4 (about 70%) are healthy. */
    public static final int DEFAULT_ZONE_MIN_HEALTHY_PERCENT = 70;
    /** Follows DNS changes within half a minute without asking the resolver on every request. */
    public static final Duration DEFAULT_DNS_REFRESH = Duration.ofSeconds(30);
    /** Envoy's default connection cap; far above what one healthy endpoint needs. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    /** Envoy's default; beyond it a queue only adds latency before the 503. */
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 1024;
    /** Below nginx's 75s keep-alive, so an upstream rarely closes a connection just as it is reused. */
    public static final Duration DEFAULT_POOL_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Envoy's default; a reachable upstream connects in milliseconds, an unreachable one should fail soon. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** No limit: retiring connections only helps against upstream leaks, and costs handshakes. */
    public static final int DEFAULT_MAX_REQUESTS_PER_CONNECTION = 0;
    /** With two failures to eject, a dead endpoint leaves rotation within about ten seconds. */
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(5);
    /** A health endpoint answers from memory; a second is already slow. */
    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(1);
    /** One pass brings a recovered endpoint back at once: traffic should return fast. */
    public static final int DEFAULT_HEALTHY_THRESHOLD = 1;
    /** Two failures in a row: one lost probe must not eject an endpoint. */
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 2;
    /** Upper bound of the health thresholds: past this an endpoint would never change state in time. */
    public static final int MAX_HEALTH_THRESHOLD = 100;

    /** A threshold applies only when set: the pool already caps connections and waiting requests per endpoint. */
    public static final int DEFAULT_CIRCUIT_BREAKER_LIMIT = 0;
    /** {@link FailureRate#DEFAULT_THRESHOLD_PERCENT}: Resilience4j's default; half the calls failing is no blip. */
    public static final int DEFAULT_FAILURE_RATE_THRESHOLD_PERCENT = FailureRate.DEFAULT_THRESHOLD_PERCENT;
    /** {@link FailureRate#DEFAULT_MINIMUM_CALLS}: fewer calls say too little; two failures of three must not open it. */
    public static final int DEFAULT_FAILURE_RATE_MINIMUM_CALLS = FailureRate.DEFAULT_MINIMUM_CALLS;
    /** {@link FailureRate#DEFAULT_WINDOW}: long enough to see a trend, short enough to react within seconds. */
    public static final Duration DEFAULT_FAILURE_RATE_WINDOW = FailureRate.DEFAULT_WINDOW;
    /** {@link FailureRate#DEFAULT_OPEN_FOR}: gives a struggling service time to recover before it is tried again. */
    public static final Duration DEFAULT_FAILURE_RATE_OPEN_FOR = FailureRate.DEFAULT_OPEN_FOR;
    /** {@link FailureRate#DEFAULT_HALF_OPEN_CALLS}: a few probes, not a stampede, decide whether it closes. */
    public static final int DEFAULT_FAILURE_RATE_HALF_OPEN_CALLS = FailureRate.DEFAULT_HALF_OPEN_CALLS;
    /** A window shorter than a second holds too few calls for a rate to mean anything. */
    public static final Duration MIN_FAILURE_RATE_WINDOW = Duration.ofSeconds(1);
    /** {@link OutlierDetectionConfig#DEFAULT_CONSECUTIVE_5XX}: Istio's and Envoy's default. */
    public static final int DEFAULT_OUTLIER_CONSECUTIVE_5XX = OutlierDetectionConfig.DEFAULT_CONSECUTIVE_5XX;
    /** {@link OutlierDetectionConfig#DEFAULT_CONSECUTIVE_GATEWAY}: off, as in Istio; 5xx errors already count them. */
    public static final int DEFAULT_OUTLIER_CONSECUTIVE_GATEWAY = OutlierDetectionConfig.DEFAULT_CONSECUTIVE_GATEWAY;
    /** {@link OutlierDetectionConfig#DEFAULT_INTERVAL}: Envoy's default sweep interval. */
    public static final Duration DEFAULT_OUTLIER_INTERVAL = OutlierDetectionConfig.DEFAULT_INTERVAL;
    /** {@link OutlierDetectionConfig#DEFAULT_BASE_EJECTION_TIME}: Envoy's default; repeat offenders stay out longer. */
    public static final Duration DEFAULT_OUTLIER_BASE_EJECTION_TIME = OutlierDetectionConfig.DEFAULT_BASE_EJECTION_TIME;
    /** {@link OutlierDetectionConfig#DEFAULT_MAX_EJECTION_PERCENT}: Envoy's default; ejection never empties a cluster. */
    public static final int DEFAULT_OUTLIER_MAX_EJECTION_PERCENT = OutlierDetectionConfig.DEFAULT_MAX_EJECTION_PERCENT;

    // ---- routes
    /** A route's upstream must start answering within this (Envoy's route timeout default). */
    public static final Duration DEFAULT_ROUTE_TIMEOUT = Duration.ofSeconds(15);
    /** Upstreams that do not read the header lose nothing, but it is a header they did not ask for: opt-in. */
    public static final boolean DEFAULT_TIMEOUT_HEADER = false;
    /** Istio's default for a {@code retries} block without {@code attempts} (and {@link RetryPolicy#DEFAULT}'s). */
    public static final int DEFAULT_RETRY_ATTEMPTS = 2;
    /** More retries than this multiply an outage's load instead of riding it out. */
    public static final int MAX_RETRY_ATTEMPTS = 10;
    /** {@link RetryPolicy#DEFAULT_BACKOFF_BASE}: Envoy's default; a blip is usually over within tens of milliseconds. */
    public static final Duration DEFAULT_RETRY_BACKOFF_BASE = RetryPolicy.DEFAULT_BACKOFF_BASE;
    /** {@link RetryPolicy#DEFAULT_BACKOFF_MAX}: Envoy's default (ten times the base), so retries stay within a timeout. */
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = RetryPolicy.DEFAULT_BACKOFF_MAX;
    /** {@link RetryPolicy#DEFAULT_BUDGET_PERCENT}: Envoy's retry budget default; retries add at most a fifth to the load. */
    public static final int DEFAULT_RETRY_BUDGET_PERCENT = RetryPolicy.DEFAULT_BUDGET_PERCENT;
    /** {@link RetryPolicy#DEFAULT_BUDGET_MIN_RETRIES}: Envoy's default, so a quiet cluster can still retry. */
    public static final int DEFAULT_RETRY_BUDGET_MIN_RETRIES = RetryPolicy.DEFAULT_BUDGET_MIN_RETRIES;
    /** Split weights are relative; up to 10000 gives 0.01% steps. */
    public static final int MAX_SPLIT_WEIGHT = 10_000;
    /** Istio mirrors every request when no percentage is given. */
    public static final double DEFAULT_MIRROR_PERCENT = 100.0;
    /** Istio faults every request when no percentage is given: the block itself is the opt-in. */
    public static final double DEFAULT_FAULT_PERCENT = 100.0;

    // ---- rate limits (the store defaults live in RateLimitsConfig, so that RateLimitsConfig.NONE agrees; named here for the table)
    /** In-process buckets need nothing else running; sharing limits through Redis is a deliberate choice. */
    public static final StoreType DEFAULT_RATE_LIMIT_STORE = StoreType.LOCAL;
    /** {@link RateLimitsConfig#DEFAULT_TIMEOUT}: Redis on the same network answers in about a millisecond. */
    public static final Duration DEFAULT_RATE_LIMIT_TIMEOUT = RateLimitsConfig.DEFAULT_TIMEOUT;
    /** {@link RateLimitsConfig#DEFAULT_SYNC_INTERVAL}: the hybrid store's over-admission grows with this interval. */
    public static final Duration DEFAULT_RATE_LIMIT_SYNC_INTERVAL = RateLimitsConfig.DEFAULT_SYNC_INTERVAL;
    /** A hybrid store syncing faster than this sends Redis nearly a call per request, which is what hybrid avoids. */
    public static final Duration MIN_RATE_LIMIT_SYNC_INTERVAL = Duration.ofMillis(10);
    /** {@link RateLimitsConfig#DEFAULT_KEY_PREFIX}: the key shape, {@code rate_limit:{client}:{endpoint}}. */
    public static final String DEFAULT_RATE_LIMIT_KEY_PREFIX = RateLimitsConfig.DEFAULT_KEY_PREFIX;
    /** {@link RateLimitsConfig#DEFAULT_MAX_LOCAL_BUCKETS}: a few megabytes of heap, ample for one process's active clients. */
    public static final int DEFAULT_MAX_LOCAL_BUCKETS = RateLimitsConfig.DEFAULT_MAX_LOCAL_BUCKETS;
    /** Upper bound of maxLocalBuckets: at about a hundred bytes a bucket, ten million are a gigabyte of heap. */
    public static final int MAX_LOCAL_BUCKETS = 10_000_000;
    /** {@link RateLimitsConfig#DEFAULT_IETF_HEADERS}: the IETF headers are a draft; X-RateLimit-* are always sent. */
    public static final boolean DEFAULT_RATE_LIMIT_IETF_HEADERS = RateLimitsConfig.DEFAULT_IETF_HEADERS;
    /** A Redis outage must not take the API down with it: each process keeps enforcing the limit on its own. */
    public static final OnStoreError DEFAULT_ON_STORE_ERROR = OnStoreError.OPEN;
    /** Longer quotas are billing, not rate limiting; it also keeps a full bucket's time far inside Redis' exact range. */
    public static final Duration MAX_RATE_LIMIT_WINDOW = Duration.ofDays(365);
    /** Buckets count time in whole microseconds (as the Redis script does): one request cannot cost less. */
    public static final Duration MIN_RATE_LIMIT_INTERVAL = Duration.ofNanos(1000);

    // ---- mesh (the gateway's identity in the service mesh)
    /** Istio's default trust domain, as the control plane's and a sidecar's. */
    public static final String DEFAULT_MESH_TRUST_DOMAIN = "cluster.local";
    /** As a sidecar's: Kubernetes' default namespace. */
    public static final String DEFAULT_MESH_NAMESPACE = "default";
    /** As a sidecar's: Kubernetes' default service account (name the gateway's own, so policies can tell it apart). */
    public static final String DEFAULT_MESH_SERVICE_ACCOUNT = "default";

    // ---- observability
    /** Every field an access-log line can have, in their usual order. */
    public static final List<String> ACCESS_LOG_FIELDS = List.of(
            "time", "requestId", "client", "method", "host", "path", "protocol", "status", "durationMs",
            "upstreamMs", "bytesIn", "bytesOut", "route", "cluster", "upstream", "userAgent", "traceId", "error",
            "tenant", "keyId", "subject");
    /**
     * What an operator reads first, with who called (tenant, API key id, JWT subject: never a credential) and
     * the trace id that finds the request in {@code GET /traces}; user agent and upstream time are opt-in.
     */
    public static final List<String> DEFAULT_ACCESS_LOG_FIELDS = List.of(
            "time", "requestId", "client", "method", "host", "path", "protocol", "status", "durationMs",
            "bytesIn", "bytesOut", "route", "cluster", "upstream", "error", "traceId", "tenant", "keyId", "subject");
    /** Containers collect standard output; a file needs rotation set up first. */
    public static final String DEFAULT_ACCESS_LOG_PATH = "stdout";
    /** The service name spans carry when none is set. */
    public static final String DEFAULT_SERVICE_NAME = "strait";
    /** Spans are exported only once otlpEndpoint is set; then every request, until lowered for heavy traffic. */
    public static final double DEFAULT_SAMPLE_RATIO = 1.0;
    /**
     * Traces kept in memory for the admin API: enough to find the request just made, a few hundred KB at most
     * (a trace holds at most {@code MAX_RECENT_TRACE_SPANS} spans).
     */
    public static final int DEFAULT_RECENT_TRACES = 100;
    /** The most recent traces that can be kept: about 10 MB of spans at worst. */
    public static final int MAX_RECENT_TRACES = 10_000;

    private ConfigLoader() {}

    /** Reads and validates a file with only the loader's own filters; a file that cannot be read is one error naming it. */
    public static StraitConfig load(Path file) throws ConfigException {
        return load(file, FilterCatalog.CORE);
    }

    /** Reads and validates a file whose filters {@code catalog} knows; a file that cannot be read is one error naming it. */
    public static StraitConfig load(Path file, FilterCatalog catalog) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw Errors.fileError(file.toString(), "no such file");
        } catch (CharacterCodingException e) {
            throw Errors.fileError(file.toString(), "cannot read: not UTF-8 text");
        } catch (IOException e) {
            throw Errors.fileError(file.toString(), "cannot read: " + e.getMessage());
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), dir != null ? dir : Path.of("").toAbsolutePath(), catalog);
    }

    /**
     * Parses and validates YAML text; {@code source} names it in syntax errors. Either returns a
     * valid configuration or throws one exception carrying every error found.
     */
    public static StraitConfig parse(String yaml, String source) throws ConfigException {
        return parse(yaml, source, Path.of("").toAbsolutePath());
    }

    /**
     * As {@link #parse(String, String)}, with relative file paths (certificates, keys) resolved against
     * {@code baseDir}; {@link #load(Path)} uses the config file's directory, {@code parse} the working directory.
     */
    public static StraitConfig parse(String yaml, String source, Path baseDir) throws ConfigException {
        return parse(yaml, source, baseDir, FilterCatalog.CORE);
    }

    /**
     * Parses and validates YAML text whose filters {@code catalog} knows: the one validation pass every
     * source of configuration goes through (file, admin API, code).
     */
    public static StraitConfig parse(String yaml, String source, Path baseDir, FilterCatalog catalog) throws ConfigException {
        return read(YamlText.read(yaml == null ? "" : yaml, source), source, baseDir, catalog);
    }

    /**
     * As {@link #parse(String, String, Path, FilterCatalog)} for a JSON document (the admin API's
     * {@code application/json}): the same model, the same checks and messages; duplicate keys are refused as in YAML.
     */
    public static StraitConfig parseJson(String json, String source, Path baseDir, FilterCatalog catalog) throws ConfigException {
        return read(YamlText.readJson(json == null ? "" : json, source), source, baseDir, catalog);
    }

    /** As {@link #parseJson(String, String, Path, FilterCatalog)} with only the loader's own filters. */
    public static StraitConfig parseJson(String json, String source, Path baseDir) throws ConfigException {
        return parseJson(json, source, baseDir, FilterCatalog.CORE);
    }

    /**
     * As {@link #parse(String, String, Path, FilterCatalog)} with {@code env} in place of the process' environment for
     * {@code ${NAME}} references (a test's, or a tool's that checks a file for another machine).
     */
    public static StraitConfig parse(String yaml, String source, Path baseDir, FilterCatalog catalog, Function<String, String> env)
            throws ConfigException {
        return read(YamlText.read(yaml == null ? "" : yaml, source), source, baseDir, catalog, env);
    }

    private static StraitConfig read(JsonNode root, String source, Path baseDir, FilterCatalog catalog) throws ConfigException {
        return read(root, source, baseDir, catalog, System::getenv);
    }

    private static StraitConfig read(JsonNode root, String source, Path baseDir, FilterCatalog catalog, Function<String, String> env)
            throws ConfigException {
        if (root == null) {
            throw Errors.fileError(source, "the file is empty");
        }
        Errors errors = new Errors();
        if (!root.isObject()) {
            errors.add("", "the top level must be an object of sections (admin, listeners, clusters, routes, ...)"
                    + " (was " + Node.describe(root) + ")");
            throw new ConfigException(errors.list());
        }
        ConfigReferences refs = References.resolve(root, baseDir, env, errors);
        if (!errors.isEmpty()) throw new ConfigException(errors.list());
        StraitConfig config = new ConfigReader(new Node(root, "", errors), baseDir, catalog).read().withReferences(refs);
        // The readers refuse what is wrong in the document (types, unknown fields, syntax, files) and put defaults
        // in place of refused values: that model is not the document's, so it is validated only when they found nothing.
        if (!errors.isEmpty()) throw new ConfigException(asWritten(errors.list(), refs));
        List<String> modelErrors = ConfigValidator.validate(config, catalog);
        if (!modelErrors.isEmpty()) throw new ConfigException(asWritten(modelErrors, refs));
        return config;
    }

    /** Messages quote values ({@code (was '...')}): a value that came from references is quoted as written, never resolved. */
    private static List<String> asWritten(List<String> messages, ConfigReferences refs) {
        if (refs.writtenByResolved().isEmpty()) return messages;
        return messages.stream().map(m -> {
            String out = m;
            for (var e : refs.writtenByResolved().entrySet()) out = out.replace("'" + e.getKey() + "'", "'" + e.getValue() + "'");
            return out;
        }).toList();
    }
}
