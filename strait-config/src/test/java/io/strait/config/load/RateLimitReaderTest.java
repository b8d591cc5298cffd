package io.strait.config.load;

import static io.strait.config.load.ConfigLoaderErrorsTest.C;
import static io.strait.config.load.ConfigLoaderErrorsTest.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.RateLimitPolicy;
import io.strait.config.model.RateLimitPolicy.Descriptor;
import io.strait.config.model.RateLimitPolicy.Descriptor.Kind;
import io.strait.config.model.RateLimitPolicy.OnStoreError;
import io.strait.config.model.RateLimitPolicy.Plan;
import io.strait.config.model.RateLimitsConfig;
import io.strait.config.model.RateLimitsConfig.Store;
import io.strait.config.model.RateLimitsConfig.StoreType;
import io.strait.config.model.StraitConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code rateLimits} section and routes' {@code rateLimit}: values, defaults and every error's path. */
class RateLimitReaderTest {
    /** A valid policy {@code p} and nothing else. */
    private static final String P = "rateLimits: {policies: {p: {limit: 10, window: 1s}}}\n";

    private static Descriptor d(Kind kind) {
        return new Descriptor(kind, null);
    }

    @Test
    void readsEverySetting() {
        StraitConfig c = Yaml.load(C + """
                rateLimits:
                  store: {type: hybrid, uri: "rediss://:pw@redis.internal:6380/2", cluster: true, timeout: 250ms,
                          syncInterval: 50ms, keyPrefix: "gw1:rl:", maxLocalBuckets: 5000}
                  ietfHeaders: true
                  policies:
                    per-client: {limit: 1000, window: 1m, key: [client, route]}
                    burst-guard: {limit: 50, window: 1s, burst: 10, key: [client, method, "header:X-Team"], onStoreError: closed}
                    quota:
                      limit: 100000
                      window: 1d
                      key: [tenant, ip]
                      onStoreError: open
                      plans: {gold: {limit: 1000000}, "free.v2": {limit: 1000, window: 1h, burst: 100}}
                routes:
                  - {name: users, cluster: c, rateLimit: [per-client, quota]}
                  - {name: one, cluster: c, rateLimit: burst-guard}
                  - {name: none, cluster: c}
                  - {name: empty, cluster: c, rateLimit: []}
                """);
        RateLimitsConfig rl = c.rateLimits();
        assertThat(rl.store()).isEqualTo(new Store(StoreType.HYBRID, "rediss://:pw@redis.internal:6380/2", true,
                Duration.ofMillis(250), Duration.ofMillis(50), "gw1:rl:", 5000));
        assertThat(rl.ietfHeaders()).isTrue();
        assertThat(rl.policies()).containsOnlyKeys("per-client", "burst-guard", "quota");
        assertThat(List.copyOf(rl.policies().keySet())).as("file order").containsExactly("per-client", "burst-guard", "quota");
        assertThat(rl.policy("per-client")).isEqualTo(new RateLimitPolicy("per-client", 1000, Duration.ofMinutes(1), 1000,
                List.of(d(Kind.CLIENT), d(Kind.ROUTE)), OnStoreError.OPEN, Map.of()));
        assertThat(rl.policy("burst-guard")).isEqualTo(new RateLimitPolicy("burst-guard", 50, Duration.ofSeconds(1), 10,
                List.of(d(Kind.CLIENT), d(Kind.METHOD), new Descriptor(Kind.HEADER, "X-Team")), OnStoreError.CLOSED, Map.of()));
        assertThat(rl.policy("burst-guard").key()).extracting(Descriptor::toString).containsExactly("client", "method", "header:X-Team");
        RateLimitPolicy quota = rl.policy("quota");
        assertThat(quota.key()).containsExactly(d(Kind.TENANT), d(Kind.IP));
        assertThat(quota.plans()).containsExactly(
                Map.entry("gold", new Plan(1_000_000, Duration.ofDays(1), 1_000_000)),
                Map.entry("free.v2", new Plan(1000, Duration.ofHours(1), 100)));
        assertThat(c.routes()).extracting(r -> r.rateLimit()).containsExactly(
                List.of("per-client", "quota"), List.of("burst-guard"), List.of(), List.of());
    }

    @Test
    void leftOutSettingsTakeTheirDefaults() {
        StraitConfig c = Yaml.load(C + """
                rateLimits:
                  policies:
                    everyone: {limit: 5, window: 1s}
                routes: [{cluster: c, rateLimit: everyone}]
                """);
        RateLimitsConfig rl = c.rateLimits();
        assertThat(rl.store()).isEqualTo(Store.LOCAL).isEqualTo(new Store(ConfigLoader.DEFAULT_RATE_LIMIT_STORE, null, false,
                ConfigLoader.DEFAULT_RATE_LIMIT_TIMEOUT, ConfigLoader.DEFAULT_RATE_LIMIT_SYNC_INTERVAL,
                ConfigLoader.DEFAULT_RATE_LIMIT_KEY_PREFIX, ConfigLoader.DEFAULT_MAX_LOCAL_BUCKETS));
        assertThat(rl.store()).isEqualTo(new Store(StoreType.LOCAL, null, false, Duration.ofMillis(100), Duration.ofMillis(100),
                "rate_limit:", 100_000));
        assertThat(rl.ietfHeaders()).isFalse();
        // no key: one bucket shared by every caller; burst defaults to the limit; fail-open
        assertThat(rl.policy("everyone")).isEqualTo(new RateLimitPolicy("everyone", 5, Duration.ofSeconds(1), 5, List.of(),
                OnStoreError.OPEN, Map.of()));
        assertThat(ConfigLoader.DEFAULT_ON_STORE_ERROR).isEqualTo(OnStoreError.OPEN);
    }

    @Test
    void aRedisStoreKeepsTheOtherDefaultsAndAnEmptySectionIsTheLocalStore() {
        assertThat(Yaml.load("rateLimits: {store: {type: redis, uri: \"redis://127.0.0.1:6379\"}}").rateLimits().store())
                .isEqualTo(new Store(StoreType.REDIS, "redis://127.0.0.1:6379", false, Duration.ofMillis(100),
                        Duration.ofMillis(100), "rate_limit:", 100_000));
        assertThat(Yaml.load("rateLimits: {}").rateLimits()).isEqualTo(new RateLimitsConfig(Store.LOCAL, Map.of(), false));
        assertThat(Yaml.load("rateLimits: {store: {}}").rateLimits().store()).isEqualTo(Store.LOCAL);
        // syncInterval is allowed (and ignored) on a redis store, so switching type is a one-word change
        assertThat(Yaml.load("rateLimits: {store: {type: redis, uri: \"redis://[::1]:6379\", syncInterval: 1s}}")
                .rateLimits().store().syncInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void noSectionIsNoneWhoseStoreIsTheLocalStoreWithEveryDefault() {
        assertThat(Yaml.load("{}").rateLimits()).isEqualTo(RateLimitsConfig.NONE);
        assertThat(Yaml.load("rateLimits:").rateLimits()).isEqualTo(RateLimitsConfig.NONE);
        assertThat(RateLimitsConfig.NONE.store()).isEqualTo(Store.LOCAL).hasNoNullFieldsOrPropertiesExcept("uri");
        assertThat(RateLimitsConfig.NONE.policies()).isEmpty();
    }

    @Test
    void theFinestRateIsOneMicrosecondPerRequest() {
        RateLimitPolicy p = Yaml.load("rateLimits: {policies: {fast: {limit: 1000000, window: 1s, burst: 1}}}")
                .rateLimits().policy("fast");
        assertThat(p.limit()).isEqualTo(1_000_000);
        assertThat(Yaml.load("rateLimits: {policies: {y: {limit: 1, window: 365d}}}").rateLimits().policy("y").window())
                .isEqualTo(Duration.ofDays(365));
        assertThat(Yaml.load("rateLimits: {policies: {us: {limit: 3, window: 500us}}}").rateLimits().policy("us").window())
                .isEqualTo(Duration.ofNanos(500_000));
    }

    @Test
    void aBrokenPolicyIsNotReportedAgainByTheRoutesThatNameIt() {
        Yaml.assertErrors(C + """
                rateLimits: {policies: {p: {limit: 0, window: 1s}, q: 5}}
                routes: [{cluster: c, rateLimit: [p, q]}]
                """,
                "rateLimits.policies.q: must be an object (was '5')",
                "rateLimits.policies.p.limit: must be at least 1 (was 0)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://127.0.0.1:6379", "rediss://cache.internal:6380", "redis://:pw@h:1/0",
            "redis://user:pw@[::1]:6379/3"})
    void redisUrisWithAHostAndAPortAreAccepted(String uri) {
        assertThat(Yaml.load("rateLimits: {store: {type: redis, uri: \"" + uri + "\"}}").rateLimits().store().uri()).isEqualTo(uri);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource({"store", "policies", "keys", "plans", "routes"})
    void reportsExactly(String yaml, List<String> expected) {
        assertThat(Yaml.errors(yaml)).as("errors of:\n%s", yaml).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> store() {
        String s = "rateLimits.store.";
        return Stream.of(
                error("rateLimits: {store: {type: memcached}}", s + "type: unknown value 'memcached'; expected one of local, redis, hybrid"),
                error("rateLimits: {store: {type: redis}}", s + "uri: is required"),
                error("rateLimits: {store: {type: hybrid, uri: \"\"}}", s + "uri: must not be empty"),
                error("rateLimits: {store: {type: redis, uri: \"http://h:1\"}}", s + "uri: must start with redis:// or rediss://"),
                error("rateLimits: {store: {type: redis, uri: \"redis://:s3cret@cache\"}}",
                        s + "uri: must name a host and a port: redis://[:password@]host:port[/db]"),
                error("rateLimits: {store: {type: redis, uri: \"redis://:s3cret@h:6379/a b\"}}",
                        s + "uri: is not a valid URI (Illegal character in path)"),
                error("rateLimits: {store: {uri: \"redis://h:1\"}}",
                        s + "uri: only the redis and hybrid stores use a uri (the store type is local)"),
                error("rateLimits: {store: {type: local, cluster: true}}",
                        s + "cluster: only the redis and hybrid stores use Redis (the store type is local)"),
                // an unknown type gets no second error about the uri
                error("rateLimits: {store: {type: redsi, uri: \"redis://h:1\"}}",
                        s + "type: unknown value 'redsi'; expected one of local, redis, hybrid"),
                error("rateLimits: {store: {timeout: 0, syncInterval: 5ms}}",
                        s + "timeout: must be greater than 0", s + "syncInterval: must be at least 10ms"),
                error("rateLimits: {store: {timeout: soon}}", s + "timeout: must be a duration such as 250ms, 1.5s, 1m30s or 2h (was 'soon')"),
                error("rateLimits: {store: {keyPrefix: \"\"}}", s + "keyPrefix: must not be empty"),
                error("rateLimits: {store: {keyPrefix: \"rl {x}:\"}}",
                        s + "keyPrefix: must be printable ASCII without spaces or braces (braces would change the Redis Cluster hash tag) (was 'rl {x}:')"),
                error("rateLimits: {store: {keyPrefix: \"rl{\"}}",
                        s + "keyPrefix: must be printable ASCII without spaces or braces (braces would change the Redis Cluster hash tag) (was 'rl{')"),
                error("rateLimits: {store: {keyPrefix: \"é:\"}}",
                        s + "keyPrefix: must be printable ASCII without spaces or braces (braces would change the Redis Cluster hash tag) (was 'é:')"),
                error("rateLimits: {store: {maxLocalBuckets: 0}}", s + "maxLocalBuckets: must be between 1 and 10000000 (was 0)"),
                error("rateLimits: {store: {maxLocalBuckets: 10000001}}", s + "maxLocalBuckets: must be between 1 and 10000000 (was 10000001)"),
                error("rateLimits: {store: {cluster: yes please}}", s + "cluster: must be true or false"),
                error("rateLimits: {store: {tipe: redis}}", s + "tipe: unknown field (did you mean 'type'?)"),
                error("rateLimits: {store: redis}", "rateLimits.store: must be an object (was 'redis')"),
                error("rateLimits: {ietfHeaders: 1}", "rateLimits.ietfHeaders: must be true or false"),
                error("rateLimits: {polices: {}}", "rateLimits.polices: unknown field (did you mean 'policies'?)"),
                error("rateLimits: [a]", "rateLimits: must be an object (was a list)"));
    }

    static Stream<Arguments> policies() {
        String p = "rateLimits.policies.";
        return Stream.of(
                error("rateLimits: {policies: [a]}", "rateLimits.policies: must be an object keyed by name (was a list)"),
                error("rateLimits: {policies: {\"bad name\": {limit: 1, window: 1s}}}", p + "bad name: " + ConfigReader.NAME_RULE),
                error("rateLimits: {policies: {p: {}}}", p + "p.window: is required", p + "p.limit: is required"),
                error("rateLimits: {policies: {p: {limit: 0, window: 0}}}", p + "p.window: must be greater than 0",
                        p + "p.limit: must be at least 1 (was 0)"),
                error("rateLimits: {policies: {p: {limit: -5, window: 1s, burst: 0}}}",
                        p + "p.limit: must be at least 1 (was -5)", p + "p.burst: must be at least 1 (was 0)"),
                error("rateLimits: {policies: {p: {limit: 1.5, window: 1s}}}", p + "p.limit: must be an integer"),
                error("rateLimits: {policies: {p: {limit: \"10\", window: 1s}}}", p + "p.limit: must be an integer"),
                error("rateLimits: {policies: {p: {limit: 99999999999999999999, window: 1s}}}",
                        p + "p.limit: is too large (was '99999999999999999999')"),
                error("rateLimits: {policies: {p: {limit: 10, window: 366d}}}", p + "p.window: must be at most 365d"),
                error("rateLimits: {policies: {p: {limit: 10, window: 1 second}}}",
                        p + "p.window: must be a duration such as 250ms, 1.5s, 1m30s or 2h (was '1 second')"),
                error("rateLimits: {policies: {p: {limit: 2000000, window: 1s}}}",
                        p + "p: limit 2000000 per 1s is finer than 1 microsecond per request"),
                error("rateLimits: {policies: {p: {limit: 2, window: 1us}}}",
                        p + "p: limit 2 per 1us is finer than 1 microsecond per request"),
                // 1 per second, so a full bucket of more than a year's worth of requests would take over a year to refill
                error("rateLimits: {policies: {p: {limit: 1, window: 1s, burst: 40000000}}}",
                        p + "p.burst: must be at most 31536000 (at 1 per 1s, a larger burst takes longer than 365d to refill)"),
                error("rateLimits: {policies: {p: {limit: 1, window: 1s, onStoreError: fail}}}",
                        p + "p.onStoreError: unknown value 'fail'; expected one of open, closed"),
                error("rateLimits: {policies: {p: {limit: 1, window: 1s, windw: 1s}}}",
                        p + "p.windw: unknown field (did you mean 'window'?)"));
    }

    static Stream<Arguments> keys() {
        String k = "rateLimits.policies.p.key";
        String base = "rateLimits: {policies: {p: {limit: 1, window: 1s, key: ";
        return Stream.of(
                error(base + "[clinet, user]}}}",
                        k + "[0]: unknown descriptor 'clinet' (did you mean 'client'?); use client, tenant, ip, route, method or header:NAME",
                        k + "[1]: unknown descriptor 'user'; use client, tenant, ip, route, method or header:NAME"),
                error(base + "[Client]}}}",
                        k + "[0]: unknown descriptor 'Client' (did you mean 'client'?); use client, tenant, ip, route, method or header:NAME"),
                error(base + "[header]}}}", k + "[0]: name the header: header:NAME, such as header:X-Team"),
                error(base + "[\"header:\", \"header:X Team\"]}}}",
                        k + "[0]: '' is not a valid header name (write header:NAME, such as header:X-Team)",
                        k + "[1]: 'X Team' is not a valid header name (write header:NAME, such as header:X-Team)"),
                error(base + "[client, route, client]}}}", k + "[2]: 'client' is listed twice"),
                error(base + "[\"header:X-Team\", \"header:x-team\"]}}}",
                        k + "[1]: 'header:x-team' is listed twice (header names ignore case)"),
                error(base + "client}}}", k + ": must be a list of strings (was 'client')"),
                error(base + "[{a: 1}]}}}", k + "[0]: must be a string"));
    }

    static Stream<Arguments> plans() {
        String q = "rateLimits.policies.q.plans.";
        String base = "rateLimits: {policies: {q: {limit: 100, window: 1d, plans: ";
        return Stream.of(
                error(base + "{gold: {}}}}}", q + "gold.limit: is required"),
                error(base + "{gold: {limit: 0, burst: -1}}}}}", q + "gold.limit: must be at least 1 (was 0)",
                        q + "gold.burst: must be at least 1 (was -1)"),
                error(base + "{gold: {limit: 10, window: 400d}}}}}", q + "gold.window: must be at most 365d"),
                error(base + "{gold: {limit: 10, window: 0}}}}}", q + "gold.window: must be greater than 0"),
                error(base + "{gold: {limit: 100000000000}}}}}", q + "gold: limit 100000000000 per 1d is finer than 1 microsecond per request"),
                error(base + "{\"-gold\": {limit: 1}, \"a b\": {limit: 1}}}}}",
                        q + "-gold: plan names use 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
                        q + "a b: plan names use 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit"),
                error(base + "{" + "g".repeat(65) + ": {limit: 1}}}}}",
                        q + "g".repeat(65) + ": plan names use 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit"),
                error(base + "{gold: {limit: 1, key: [ip]}}}}}", q + "gold.key: unknown field"),
                error(base + "{gold: 1000}}}}", q + "gold: must be an object (was '1000')"),
                error(base + "[gold]}}}", "rateLimits.policies.q.plans: must be an object keyed by name (was a list)"),
                // the policy's window is wrong: its plans that inherit it get no second error
                error("rateLimits: {policies: {q: {limit: 100, window: 0, plans: {gold: {limit: 1}}}}}",
                        "rateLimits.policies.q.window: must be greater than 0"));
    }

    @Test
    void planNamesMayHoldDotsColonsAndUnderscoresLikeApiKeyPlans() {
        var plans = Yaml.load("rateLimits: {policies: {q: {limit: 1, window: 1s, plans: {\"team:gold_2.v1\": {limit: 2},"
                + " \"" + "g".repeat(64) + "\": {limit: 3, burst: 1}}}}}").rateLimits().policy("q").plans();
        assertThat(plans).containsOnlyKeys("team:gold_2.v1", "g".repeat(64));
        assertThat(plans.get("team:gold_2.v1")).isEqualTo(new Plan(2, Duration.ofSeconds(1), 2));
        assertThat(plans.get("g".repeat(64))).isEqualTo(new Plan(3, Duration.ofSeconds(1), 1));
    }

    static Stream<Arguments> routes() {
        return Stream.of(
                error(C + P + "routes: [{cluster: c}, {cluster: c}, {cluster: c, rateLimit: [p, x]}]",
                        "routes[2].rateLimit[1]: unknown rate-limit policy 'x'"),
                error(C + P + "routes: [{cluster: c, rateLimit: q}]", "routes[0].rateLimit: unknown rate-limit policy 'q'"),
                error(C + "rateLimits: {policies: {per-client: {limit: 1, window: 1s}}}\n"
                        + "routes: [{cluster: c, rateLimit: [per-clinet]}]",
                        "routes[0].rateLimit[0]: unknown rate-limit policy 'per-clinet' (did you mean 'per-client'?)"),
                // no rateLimits section: the same error
                error(C + "routes: [{cluster: c, rateLimit: [x]}]", "routes[0].rateLimit[0]: unknown rate-limit policy 'x' (rateLimits.policies declares none)"),
                error(C + "routes: [{cluster: c, rateLimit: x}]", "routes[0].rateLimit: unknown rate-limit policy 'x' (rateLimits.policies declares none)"),
                error(C + "rateLimits: {}\nroutes: [{cluster: c, rateLimit: x}]",
                        "routes[0].rateLimit: unknown rate-limit policy 'x' (rateLimits.policies declares none)"),
                error(C + P + "routes: [{cluster: c, rateLimit: [p, p]}]", "routes[0].rateLimit[1]: 'p' is named twice"),
                error(C + P + "routes: [{cluster: c, rateLimit: {p: 1}}]", "routes[0].rateLimit: must be a list of strings (was an object)"),
                error(C + P + "routes: [{cluster: c, rateLimit: [p, [q], x]}]", "routes[0].rateLimit[1]: must be a string"),
                error(C + P + "routes: [{cluster: c, rateLimits: [p]}]", "routes[0].rateLimits: unknown field (did you mean 'rateLimit'?)"));
    }

    @Test
    void aPlainStringNamesOnePolicy() {
        StraitConfig c = Yaml.load(C + P + "routes: [{cluster: c, rateLimit: p}]");
        assertThat(c.routes().get(0).rateLimit()).containsExactly("p");
        assertThat(c.rateLimits().policy(c.routes().get(0).rateLimit().get(0)).limit()).isEqualTo(10);
    }

    @Test
    void anUnquotedHeaderDescriptorInAFlowListIsOneString() {
        assertThat(Yaml.load("rateLimits: {policies: {p: {limit: 1, window: 1s, key: [client, header:X-Team]}}}")
                .rateLimits().policy("p").key()).containsExactly(d(Kind.CLIENT), new Descriptor(Kind.HEADER, "X-Team"));
    }

    @Test
    void errorsAboutTheUriNeverRepeatItsPassword() {
        for (String uri : List.of("redis://:hunter2@cache", "http://:hunter2@cache:1", "redis://:hunter2@cache:1/a b")) {
            assertThat(Yaml.errors("rateLimits: {store: {type: redis, uri: \"" + uri + "\"}}"))
                    .hasSize(1).allSatisfy(e -> assertThat(e).startsWith("rateLimits.store.uri: ").doesNotContain("hunter2"));
        }
    }

    @Test
    void durationsInMessagesAreWrittenAsInTheFile() {
        assertThat(RateLimitReader.format(Duration.ofDays(365))).isEqualTo("365d");
        assertThat(RateLimitReader.format(Duration.ofHours(36))).isEqualTo("36h");
        assertThat(RateLimitReader.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(RateLimitReader.format(Duration.ofMillis(10))).isEqualTo("10ms");
        assertThat(RateLimitReader.format(Duration.ofNanos(1500_000))).isEqualTo("1500us");
        assertThat(RateLimitReader.format(Duration.ofMinutes(1))).isEqualTo("1m");
    }
}
