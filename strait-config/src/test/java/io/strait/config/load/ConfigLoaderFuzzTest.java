package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Garbled and random input only ever gives a {@link ConfigException} with one-line errors, or a
 * configuration whose cross references hold. Deterministic: set {@code -Dfuzz.seed=...} and
 * {@code -Dfuzz.iterations=...} for a longer or different run.
 */
class ConfigLoaderFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20261122L);
    private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 500);

    private static final String VALID = """
            admin: {address: 127.0.0.1:9901}
            zone: a
            drainTimeout: 10s
            listeners:
              - name: public
                address: 127.0.0.1:8080
                protocols: [http1, h2c]
                maxHeaderSize: 16KiB
                idleTimeout: 30s
                paths: {mergeSlashes: true, encodedSlashes: reject}
            clusters:
              users:
                endpoints:
                  - {address: 127.0.0.1:9001, zone: a, labels: {version: v1}, weight: 2}
                  - {address: 127.0.0.1:9002, zone: b, labels: {version: v2}}
                loadBalancer: ring-hash
                hashOn: {header: X-User-Id}
                pool: {maxConnections: 64, connectTimeout: 1s}
                healthCheck: {path: /healthz, interval: 5s}
                circuitBreaker: {maxRequests: 100, failureRate: {thresholdPercent: 50, window: 10s}}
                outlierDetection: {consecutive5xxErrors: 5, interval: 10s, maxEjectionPercent: 50}
              orders:
                endpoints: [{address: localhost:9003}]
            routes:
              - name: users
                match:
                  pathTemplate: "/api/users/{id}"
                  methods: [GET, POST]
                  hosts: ["*.example.com"]
                  headers: [{name: X-Tenant, exact: acme}]
                  query: [{name: debug, present: true}]
                  cookies: [{name: ab, exact: b}]
                cluster: users
                timeout: 2s
                retries: {attempts: 3, retryOn: [5xx, 503], perTryTimeout: 500ms, backoff: {base: 25ms, max: 250ms}}
                split: [{subset: {version: v1}, weight: 90}, {subset: {version: v2}, weight: 10}]
                stickyOn: {cookie: uid}
                mirror: {cluster: orders, percent: 0.5}
                fault: {delay: {duration: 1s, percent: 10}, abort: {status: 503, percent: 5}}
              - name: orders
                match: {pathPrefix: /api/orders}
                cluster: orders
                rewrite: {prefix: /orders, host: orders.internal}
                maxRequestBodySize: 1MiB
            observability:
              accessLog: {enabled: true, path: stdout, fields: [time, status]}
              tracing: {otlpEndpoint: "http://127.0.0.1:4318", sampleRatio: 0.5}
            """;

    /** Fragments that mean something to YAML or to the loader. */
    private static final String[] FRAGMENTS = {
        ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "'", "\"", "&a ", "*a", "!", "!!str ", "|", ">", "#", "\t",
        "\n", "  ", "    ", "---\n", "...\n", "? ", "%", "@", "`", "\\", "\u0000", "\u0085", "\u00e9", "\ud83d\ude00",
        "\ud800", "null", "~", "-1", "0", "99999999999999999999", ".nan", ".inf", "1e400", "true", "yes", "0x1F",
        "{{", "(", "*", "/..", "%2e", "[::1]:", ":0", "ring-hash", "zone-aware", "auth: {}", "tls: {}", "<<: ",
    };

    /** Every field name the loader knows, and a few near misses. */
    private static final String[] KEYS = {
        "admin", "address", "listeners", "name", "protocols", "maxRequestLineLength", "maxHeaderSize", "maxHeaderCount",
        "maxRequestBodySize", "requestHeadersTimeout", "requestTimeout", "idleTimeout", "xffTrustedHops", "paths",
        "mergeSlashes", "encodedSlashes", "clusters", "endpoints", "zone", "labels", "weight", "loadBalancer", "hashOn",
        "header", "cookie", "sourceIp", "zoneAware", "minHealthyPercent", "protocol", "pool", "maxConnections",
        "maxPendingRequests", "connectTimeout", "maxRequestsPerConnection", "healthCheck", "path", "host", "interval",
        "timeout", "healthyThreshold", "unhealthyThreshold", "dnsRefresh", "routes", "match", "pathPrefix",
        "pathTemplate", "pathRegex", "hosts", "methods", "headers", "query", "exact", "prefix", "regex", "present",
        "absent", "cluster", "rewrite", "observability", "accessLog", "enabled", "fields", "tracing", "otlpEndpoint",
        "serviceName", "sampleRatio", "drainTimeout", "auth", "tls", "retries", "split", "users", "c", "", "listener",
        "attempts", "retryOn", "perTryTimeout", "backoff", "base", "max", "nonIdempotent", "budget", "percent",
        "minRetries", "timeoutHeader", "subset", "stickyOn", "mirror", "fault", "delay", "duration", "abort", "status",
        "cookies", "version", "circuitBreaker", "maxRequests", "maxRetries", "failureRate", "thresholdPercent",
        "minimumCalls", "window", "openFor", "halfOpenCalls", "outlierDetection", "consecutive5xxErrors",
        "consecutiveGatewayErrors", "baseEjectionTime", "maxEjectionPercent",
    };

    /** Values that are valid somewhere, and values that are wrong everywhere. */
    private static final Object[] SCALARS = {
        "127.0.0.1:8080", "127.0.0.1:0", "[::1]:9", "localhost", "users", "c", "1s", "0", "250ms", "1h", "16KiB",
        "10MiB", "GET", "get", "http1", "h2c", "round-robin", "ring-hash", "zone-aware", "least-request", "decode",
        "/", "/api", "/a/{id}", "/a/{**}", "/a/{**}/b", "(", "[a-", "*.example.com", "*", "", " ", "x-user", "a",
        "time", "status", "http://x", "\n", "\u0000", "99999999999999999999s", "9223372036854775807d", "99999999999GiB",
        "/a/./b", "/a?b", 0, 1, -1, 65536, Integer.MAX_VALUE, Long.MAX_VALUE, new java.math.BigInteger("99999999999999999999"),
        1.5, 0.5, -0.0, 1e300, true, false,
    };

    @Test
    void garbledTextGivesOnlyConfigErrors() {
        Random random = new Random(SEED);
        for (int i = 0; i < ITERATIONS; i++) {
            String yaml = mutate(VALID, random, 1 + random.nextInt(6));
            check(yaml, "garbled #" + i);
        }
    }

    @Test
    void randomTreesGiveOnlyConfigErrors() throws Exception {
        Random random = new Random(SEED + 1);
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < ITERATIONS; i++) {
            Map<String, Object> root = new LinkedHashMap<>();
            int sections = random.nextInt(6);
            for (int s = 0; s < sections; s++) root.put(pick(KEYS, random), value(random, 0));
            // JSON is YAML: the tree reaches the loader intact, whatever its shape
            check(json.writeValueAsString(root), "tree #" + i);
        }
    }

    @Test
    void validTreesWithRandomChangesGiveOnlyConfigErrors() throws Exception {
        Random random = new Random(SEED + 3);
        ObjectMapper yaml = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < ITERATIONS; i++) {
            Object root = yaml.readValue(VALID, Object.class);
            int changes = 1 + random.nextInt(4);
            for (int k = 0; k < changes; k++) change(root, random);
            check(json.writeValueAsString(root), "changed tree #" + i);
        }
    }

    /** Walks to a random container in the tree and replaces, removes or adds one entry. */
    @SuppressWarnings("unchecked")
    private static void change(Object root, Random random) {
        Object node = root;
        while (true) {
            List<Object> children = new ArrayList<>();
            if (node instanceof Map<?, ?> m) children.addAll(m.values());
            if (node instanceof List<?> l) children.addAll(l);
            children.removeIf(c -> !(c instanceof Map || c instanceof List));
            if (children.isEmpty() || random.nextInt(4) == 0) break;
            node = children.get(random.nextInt(children.size()));
        }
        if (node instanceof Map<?, ?> raw) {
            Map<String, Object> m = (Map<String, Object>) raw;
            List<String> keys = new ArrayList<>(m.keySet());
            int op = keys.isEmpty() ? 2 : random.nextInt(3);
            switch (op) {
                case 0 -> m.put(keys.get(random.nextInt(keys.size())), value(random, 3));
                case 1 -> m.remove(keys.get(random.nextInt(keys.size())));
                default -> m.put(pick(KEYS, random), value(random, 3));
            }
        } else if (node instanceof List<?> raw) {
            List<Object> l = (List<Object>) raw;
            if (l.isEmpty() || random.nextBoolean()) l.add(value(random, 3));
            else l.set(random.nextInt(l.size()), value(random, 3));
        }
    }

    @Test
    void validSectionsInRandomShapesGiveOnlyConfigErrors() {
        Random random = new Random(SEED + 2);
        List<String> lines = VALID.lines().toList();
        for (int i = 0; i < ITERATIONS; i++) {
            List<String> shuffled = new ArrayList<>(lines);
            int ops = 1 + random.nextInt(4);
            for (int k = 0; k < ops; k++) {
                int a = random.nextInt(shuffled.size());
                switch (random.nextInt(4)) {
                    case 0 -> shuffled.remove(a);
                    case 1 -> shuffled.add(random.nextInt(shuffled.size()), shuffled.get(a));
                    case 2 -> shuffled.set(a, "  ".repeat(random.nextInt(4)) + shuffled.get(a).strip());
                    default -> shuffled.set(a, shuffled.get(a).replaceFirst(":\\s.*", ": " + pick(SCALARS, random)));
                }
            }
            check(String.join("\n", shuffled), "lines #" + i);
        }
    }

    @Test
    void theUnmutatedBaseIsValid() {
        StraitConfig c = Yaml.load(VALID);
        assertThat(c.routes()).extracting(RouteConfig::cluster).containsExactly("users", "orders");
    }

    private static void check(String yaml, String what) {
        try {
            StraitConfig c = ConfigLoader.parse(yaml, "fuzz.yaml");
            assertThat(c.listeners()).as(what).isNotEmpty();
            for (RouteConfig r : c.routes()) assertThat(c.clusters()).as(what).containsKey(r.cluster());
            for (var cl : c.clusters().values()) assertThat(cl.endpoints()).as(what).isNotEmpty();
        } catch (ConfigException e) {
            assertThat(e.errors()).as("%s: errors of\n%s", what, yaml).isNotEmpty();
            for (String error : e.errors()) {
                assertThat(error).as("%s: one line per error, for\n%s", what, yaml).isNotBlank().doesNotContain("\n", "\r");
            }
        } catch (Throwable t) {
            fail(what + " (seed " + SEED + "): " + t + " escaped the loader for:\n" + yaml, t);
        }
    }

    private static String mutate(String text, Random random, int times) {
        StringBuilder sb = new StringBuilder(text);
        for (int k = 0; k < times && !sb.isEmpty(); k++) {
            int at = random.nextInt(sb.length());
            switch (random.nextInt(5)) {
                case 0 -> sb.delete(at, Math.min(sb.length(), at + 1 + random.nextInt(20)));
                case 1 -> sb.insert(at, pick(FRAGMENTS, random));
                case 2 -> sb.setCharAt(at, (char) random.nextInt(128));
                case 3 -> {
                    int len = Math.min(sb.length() - at, 1 + random.nextInt(40));
                    sb.insert(random.nextInt(sb.length()), sb.substring(at, at + len));
                }
                default -> sb.replace(at, Math.min(sb.length(), at + 1 + random.nextInt(8)), String.valueOf(pick(SCALARS, random)));
            }
        }
        return sb.toString();
    }

    private static Object value(Random random, int depth) {
        int kind = depth > 4 ? 0 : random.nextInt(6);
        return switch (kind) {
            case 0, 1 -> pick(SCALARS, random);
            case 2 -> null;
            case 3, 4 -> {
                Map<String, Object> map = new LinkedHashMap<>();
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) map.put(pick(KEYS, random), value(random, depth + 1));
                yield map;
            }
            default -> {
                List<Object> list = new ArrayList<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) list.add(value(random, depth + 1));
                yield list;
            }
        };
    }

    private static <T> T pick(T[] options, Random random) {
        return options[random.nextInt(options.length)];
    }
}
