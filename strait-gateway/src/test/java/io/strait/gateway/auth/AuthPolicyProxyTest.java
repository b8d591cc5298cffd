package io.strait.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.ApiKeysConfig;
import io.strait.config.model.JwtProviderConfig;
import io.strait.gateway.GatewayFilters;
import io.strait.proxy.testing.ClientProtocol;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Route auth policies through the real proxy (clients over HTTP/1.1 and HTTP/2), with scripted authenticators standing in for the JWT and
 * API-key ones (those have their own tests against real JWKS servers and Redis): what reaches the
 * backend, and what the client gets back.
 */
@ParameterizedClass
@EnumSource(ClientProtocol.class)
class AuthPolicyProxyTest {
    private static final String CONFIG = """
            auth:
              jwt:
                - {name: main, issuer: "https://issuer.test/", jwksFile: /nonexistent/jwks.json, claimHeaders: {X-Email: email}}
              apiKeys: {header: X-API-Key, queryParam: api_key}
              identityHeaders: [X-Internal-Role]
            clusters:
              c: {endpoints: [{address: "${b}"}]}
            routes:
              - {name: open, match: {pathPrefix: /open}, cluster: c}
              - {name: any, match: {pathPrefix: /any}, cluster: c, auth: {anyOf: [jwt:main, apiKey]}}
              - {name: all, match: {pathPrefix: /all}, cluster: c, auth: {allOf: [jwt:main, apiKey]}}
              - {name: scoped, match: {pathPrefix: /scoped}, cluster: c, auth: {anyOf: [jwt:main], scopes: [users:read, users:write]}}
              - {name: keys, match: {pathPrefix: /keys}, cluster: c, auth: apiKey}
            """;

    /**
     * Bearer tokens: "alice" verifies (scopes users:read), "admin" verifies with both scopes, "slow" verifies
     * after 100 ms on another thread, "down" is Unavailable, "boom" throws, anything else is Invalid.
     * API keys (header or query): "k1" verifies for tenant acme, anything else is Invalid.
     */
    static final class Scripted implements AuthenticatorFactory {
        final List<Authenticator> built = new CopyOnWriteArrayList<>();
        final List<Authenticator> closed = new CopyOnWriteArrayList<>();
        final Executor later = CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);

        @Override
        public Authenticator jwt(JwtProviderConfig p) {
            return track(new Authenticator() {
                @Override
                public CompletionStage<AuthOutcome> authenticate(HttpHeaders h, String query) {
                    List<String> all = h.getAll("Authorization");
                    if (all.isEmpty() || !all.get(0).startsWith("Bearer ")) return done(AuthOutcome.MISSING);
                    String token = all.get(0).substring(7);
                    return switch (token) {
                        case "alice" -> done(verified("jwt:main", "alice", "acme", Set.of("users:read"), null, Map.of("X-Email", "a@acme.test")));
                        case "admin" -> done(verified("jwt:main", "root", null, Set.of("users:read", "users:write"), null, Map.of()));
                        case "slow" -> CompletableFuture.supplyAsync(() -> verified("jwt:main", "sloth", null, Set.of(), null, Map.of()), later);
                        case "down" -> done(new AuthOutcome.Unavailable("signing keys unavailable"));
                        case "boom" -> throw new IllegalStateException("bug");
                        default -> done(new AuthOutcome.Invalid("invalid signature"));
                    };
                }

                @Override
                public String stripCredential(HttpHeaders h, String query) {
                    h.remove("Authorization");
                    return query;
                }

                @Override
                public void close() {
                    closed.add(this);
                }
            });
        }

        @Override
        public Authenticator apiKeys(ApiKeysConfig c) {
            return track(new Authenticator() {
                @Override
                public CompletionStage<AuthOutcome> authenticate(HttpHeaders h, String query) {
                    String key = h.get(c.header());
                    if (key == null && query != null && query.startsWith("api_key=")) key = query.substring(8);
                    if (key == null) return done(AuthOutcome.MISSING);
                    return done(key.equals("k1") ? verified("apiKey", null, "acme", Set.of("users:read"), "key_1", Map.of())
                            : new AuthOutcome.Invalid("unknown API key"));
                }

                @Override
                public String stripCredential(HttpHeaders h, String query) {
                    h.remove(c.header());
                    return query != null && query.startsWith("api_key=") ? null : query;
                }

                @Override
                public void close() {
                    closed.add(this);
                }
            });
        }

        private Authenticator track(Authenticator a) {
            built.add(a);
            return a;
        }

        private static CompletableFuture<AuthOutcome> done(AuthOutcome o) {
            return CompletableFuture.completedFuture(o);
        }

        private static AuthOutcome verified(String source, String user, String tenant, Set<String> scopes, String keyId,
                Map<String, String> extra) {
            return new AuthOutcome.Verified(new Identity(source, user, tenant, scopes, keyId, extra));
        }
    }

    private Scripted scripted;
    /** A gateway per test (instance field): the scripted authenticators and the metrics start fresh. */
    @RegisterExtension
    final ProxyExtension proxy = ProxyExtension.of(CONFIG).withBackend("b").filters(() -> {
        scripted = new Scripted();
        return new GatewayFilters(scripted);
    });
    private TestBackend backend;

    @Parameter
    ClientProtocol protocol;

    @BeforeEach
    void backend() {
        backend = proxy.backend("b");
    }

    private HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path)).GET();
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return proxy.over(protocol).send(b.build());
    }

    private static JsonNode upstreamHeaders(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).path("headers");
    }

    @Test
    void noCredentialIs401WithABearerChallengeAndTheJsonError() {
        HttpResponse<String> r = get("/any");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().allValues("www-authenticate")).contains(
                "Bearer realm=\"strait\", error=\"invalid_token\", error_description=\"missing credentials\"",
                "ApiKey realm=\"strait\", header=\"X-API-Key\"");
        JsonNode body = Json.parse(r.body());
        assertThat(body.path("error").asText()).isEqualTo("unauthorized");
        assertThat(body.path("requestId").asText()).isEqualTo(r.headers().firstValue("x-request-id").orElseThrow());
        assertThat(backend.requestCount()).isZero();
    }

    @Test
    void anInvalidTokenIs401WithItsDescriptionAndNeverEchoesTheToken() {
        HttpResponse<String> r = get("/any", "Authorization", "Bearer secret-garbage-token");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("www-authenticate").orElseThrow())
                .isEqualTo("Bearer realm=\"strait\", error=\"invalid_token\", error_description=\"invalid signature\"");
        assertThat(r.body()).doesNotContain("secret-garbage-token");
    }

    @Test
    void aVerifiedTokenSendsIdentityUpstreamAndNotTheToken() {
        JsonNode h = upstreamHeaders(get("/any/x", "Authorization", "Bearer alice"));
        assertThat(h.path("x-user-id").asText()).isEqualTo("alice");
        assertThat(h.path("x-tenant-id").asText()).isEqualTo("acme");
        assertThat(h.path("x-scopes").asText()).isEqualTo("users:read");
        assertThat(h.path("x-email").asText()).isEqualTo("a@acme.test");
        assertThat(h.has("authorization")).isFalse();
    }

    @Test
    void spoofedIdentityHeadersAreStrippedOnEveryRouteInAnyCaseAndRepetition() {
        String[] spoof = {"X-User-ID", "mallory", "x-user-id", "mallory2", "X-TENANT-ID", "evil", "x-scopes", "admin",
                "X-Api-Key-Id", "key_evil", "x-email", "m@evil.test", "X-Internal-Role", "root"};
        HttpResponse<String> open = get("/open", spoof);
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).doesNotContain("mallory", "evil", "\"admin\"", "m@evil.test", "root", "x-internal-role");

        HttpResponse<String> authed = get("/any", concat(spoof, "Authorization", "Bearer admin"));
        JsonNode h = upstreamHeaders(authed);
        assertThat(h.path("x-user-id").asText()).isEqualTo("root");
        assertThat(h.has("x-tenant-id")).isFalse(); // the token carries no tenant: the spoofed one must not survive
        assertThat(h.has("x-email")).isFalse();
        assertThat(authed.body()).doesNotContain("mallory", "evil", "key_evil", "m@evil.test", "x-internal-role");
    }

    @Test
    void missingScopesAre403InsufficientScope() {
        HttpResponse<String> r = get("/scoped", "Authorization", "Bearer alice");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("www-authenticate").orElseThrow())
                .contains("error=\"insufficient_scope\"", "scope=\"users:read users:write\"");
        assertThat(Json.parse(r.body()).path("error").asText()).isEqualTo("insufficient_scope");
        assertThat(upstreamHeaders(get("/scoped", "Authorization", "Bearer admin")).path("x-scopes").asText())
                .isEqualTo("users:read users:write");
    }

    @Test
    void anyOfAcceptsEitherCredentialAndAllOfNeedsBoth() {
        JsonNode viaKey = upstreamHeaders(get("/any", "X-API-Key", "k1"));
        assertThat(viaKey.path("x-api-key-id").asText()).isEqualTo("key_1");
        assertThat(viaKey.path("x-tenant-id").asText()).isEqualTo("acme");
        assertThat(viaKey.has("x-api-key")).isFalse();
        assertThat(viaKey.has("x-user-id")).isFalse();

        assertThat(get("/all", "Authorization", "Bearer alice").statusCode()).isEqualTo(401);
        assertThat(get("/all", "X-API-Key", "k1").statusCode()).isEqualTo(401);
        JsonNode both = upstreamHeaders(get("/all", "Authorization", "Bearer alice", "X-API-Key", "k1"));
        assertThat(both.path("x-user-id").asText()).isEqualTo("alice");
        assertThat(both.path("x-api-key-id").asText()).isEqualTo("key_1");
    }

    @Test
    void aKeyInTheQueryIsRemovedBeforeForwarding() {
        HttpResponse<String> r = get("/keys/list?api_key=k1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.parse(r.body()).path("uri").asText()).isEqualTo("/keys/list");
        assertThat(get("/keys/list?api_key=nope").statusCode()).isEqualTo(401);
    }

    @Test
    void aSlowAuthenticatorSuspendsTheRequestWithoutBlockingOthers() throws Exception {
        // over HTTP/2 both requests are streams of one connection
        HttpRequest slowRequest = HttpRequest.newBuilder(proxy.uri("/any/slow")).header("Authorization", "Bearer slow").build();
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> proxy.over(protocol).send(slowRequest));
        assertThat(get("/open").statusCode()).isEqualTo(200); // served while the slow check is pending
        assertThat(upstreamHeaders(slow.get(5, TimeUnit.SECONDS)).path("x-user-id").asText()).isEqualTo("sloth");
    }

    @Test
    void uncheckableCredentialsAre503AndABrokenAuthenticatorIsNever500() {
        HttpResponse<String> down = get("/any", "Authorization", "Bearer down");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(Json.parse(down.body()).path("error").asText()).isEqualTo("auth_unavailable");
        HttpResponse<String> boom = get("/any", "Authorization", "Bearer boom");
        assertThat(boom.statusCode()).isEqualTo(503);
        assertThat(boom.body()).doesNotContain("IllegalStateException", "bug");
    }

    @Test
    void outcomesAreCountedPerRouteInMetrics() {
        get("/any");
        get("/any", "Authorization", "Bearer nope");
        get("/any", "Authorization", "Bearer alice");
        get("/scoped", "Authorization", "Bearer alice");
        get("/any", "Authorization", "Bearer down");
        String metrics = proxy.admin("GET", "/metrics").body();
        assertThat(metrics).contains(
                "strait_auth_requests_total{result=\"missing\",route=\"any\"} 1.0",
                "strait_auth_requests_total{result=\"invalid\",route=\"any\"} 1.0",
                "strait_auth_requests_total{result=\"verified\",route=\"any\"} 1.0",
                "strait_auth_requests_total{result=\"unavailable\",route=\"any\"} 1.0",
                "strait_auth_requests_total{result=\"insufficient_scope\",route=\"scoped\"} 1.0");
    }

    @Test
    void reloadKeepsUnchangedAuthenticatorsAndClosesReplacedOnes() throws Exception {
        assertThat(scripted.built).hasSize(2);
        assertThat(proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
        assertThat(scripted.built).hasSize(2); // same settings: nothing rebuilt
        proxy.writeConfig(CONFIG.replace("header: X-API-Key", "header: X-Key"));
        assertThat(proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
        assertThat(scripted.built).hasSize(3);
        assertThat(scripted.closed).containsExactly(scripted.built.get(1));
        assertThat(get("/keys", "X-Key", "k1").statusCode()).isEqualTo(200);
        assertThat(get("/keys", "X-API-Key", "k1").statusCode()).isEqualTo(401);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
