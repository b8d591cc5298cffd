package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.StraitConfig;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A model built by code can hold anything its records let through: every component of every record of a full
 * model, set in turn to an edge value (null, empty, negative, zero, huge), gives errors with paths or none, and
 * never an exception nor the validator's last-resort "cannot be checked".
 */
class ConfigValidatorFuzzTest {
    static final String FULL = """
            zone: a
            listeners: [{name: l, address: 127.0.0.1:8080, routes: [r]}]
            clusters:
              users:
                endpoints: [{address: 127.0.0.1:9001, zone: a, labels: {version: v1}}]
                healthCheck: {path: /h}
                circuitBreaker: {maxRequests: 10, failureRate: {thresholdPercent: 50}}
                outlierDetection: {consecutive5xxErrors: 3}
                loadBalancer: ring-hash
                hashOn: {header: x-user}
              orders: {endpoints: [{address: 127.0.0.1:9003}]}
            auth: {jwt: [{name: main, issuer: "https://a.test/", jwksUri: "https://a.test/jwks"}], apiKeys: {}}
            rateLimits: {policies: {p: {limit: 10, window: 1s}}}
            routes:
              - name: r
                cluster: users
                match: {pathPrefix: /a, methods: [GET], headers: [{name: x, exact: y}]}
                rewrite: {prefix: /b}
                retries: {attempts: 2, retryOn: [5xx, 503]}
                subset: {version: v1}
                mirror: {cluster: orders, percent: 10}
                fault: {delay: {duration: 1s, percent: 1}}
                auth: {anyOf: [jwt:main, apiKey]}
                rateLimit: [p]
            """;

    final List<String> failed = new ArrayList<>();

    static final List<Object> INTS = List.of(-1, 0, Integer.MAX_VALUE, Integer.MIN_VALUE);
    static final List<Object> LONGS = List.of(-1L, 0L, Long.MAX_VALUE);
    static final List<Object> DOUBLES = List.of(-1.0, 0.0, 101.0, Double.NaN);
    static final List<Object> DURATIONS = Arrays.asList(null, Duration.ZERO, Duration.ofSeconds(-1), Duration.ofDays(100_000));
    static final List<Object> STRINGS = Arrays.asList(null, "", " ", "a b", "/../");

    @Test
    void everyEdgeValueGivesPathsNeverAnException() {
        StraitConfig model = Yaml.load(FULL);
        assertThat(ConfigValidator.validate(model)).isEmpty();
        List<String> tried = new ArrayList<>();
        fuzz(model, "", model, tried);
        assertThat(failed).isEmpty();
        assertThat(tried.size()).as("edge values tried").isGreaterThan(300);
    }

    /** Tries every edge value of every component of {@code r} (at {@code path}), recursing into records. */
    private void fuzz(Record r, String path, StraitConfig root, List<String> tried) {
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object value = get(r, c);
            String p = path.isEmpty() ? c.getName() : path + "." + c.getName();
            for (Object edge : edges(c.getType(), value)) {
                Record changed = ConfigValidatorTest.withOrNull(r, c.getName(), edge);
                if (changed == null) continue; // the record's own constructor refuses it: an invariant it protects
                StraitConfig next = place(root, path, changed);
                if (next == null) continue;
                tried.add(p + "=" + edge);
                for (String e : ConfigValidator.validate(next)) {
                    if (e.contains("cannot be checked")) failed.add(p + " = " + edge + ": " + e);
                }
            }
            if (value instanceof Record inner && !(value instanceof Duration)) fuzz(inner, p, root, tried);
            if (value instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Record inner) fuzz(inner, p + "[0]", root, tried);
            if (value instanceof Map<?, ?> map && !map.isEmpty() && map.values().iterator().next() instanceof Record inner) {
                fuzz(inner, p + "{" + map.keySet().iterator().next() + "}", root, tried);
            }
        }
    }

    private static List<Object> edges(Class<?> type, Object value) {
        if (type == int.class) return INTS;
        if (type == long.class) return LONGS;
        if (type == double.class) return DOUBLES;
        if (type == Duration.class) return DURATIONS;
        if (type == String.class) return STRINGS;
        if (type == List.class) return Arrays.asList(null, List.of());
        if (type == Map.class) return Arrays.asList(null, Map.of());
        if (type == java.util.Set.class) return Arrays.asList(null, java.util.Set.of());
        if (type.isPrimitive()) return List.of();
        return Arrays.asList((Object) null);
    }

    /** {@code root} with the record at {@code path} replaced by {@code changed}; null when the path cannot be rebuilt. */
    private static StraitConfig place(StraitConfig root, String path, Record changed) {
        if (path.isEmpty()) return (StraitConfig) changed;
        return (StraitConfig) replace(root, path, changed);
    }

    private static Object replace(Object current, String path, Object changed) {
        if (path.isEmpty()) return changed;
        int dot = path.indexOf('.');
        String head = dot < 0 ? path : path.substring(0, dot);
        String rest = dot < 0 ? "" : path.substring(dot + 1);
        String name = head.replaceAll("[\\[{].*", "");
        Record r = (Record) current;
        RecordComponent c = Arrays.stream(r.getClass().getRecordComponents()).filter(x -> x.getName().equals(name)).findFirst().orElseThrow();
        Object value = get(r, c);
        Object replaced;
        if (head.endsWith("[0]")) {
            List<Object> list = new ArrayList<>((List<?>) value);
            list.set(0, replace(list.get(0), rest, changed));
            replaced = list;
        } else if (head.contains("{")) {
            String key = head.substring(head.indexOf('{') + 1, head.length() - 1);
            Map<Object, Object> map = new LinkedHashMap<>((Map<?, ?>) value);
            map.put(key, replace(map.get(key), rest, changed));
            replaced = map;
        } else {
            replaced = replace(value, rest, changed);
        }
        return ConfigValidatorTest.withOrNull(r, name, replaced);
    }

    private static Object get(Record r, RecordComponent c) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
