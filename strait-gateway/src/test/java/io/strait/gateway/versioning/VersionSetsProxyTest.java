package io.strait.gateway.versioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.gateway.GatewayFilters;
import io.strait.gateway.StandardAuthenticators;
import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.apikey.IssuedKey;
import io.strait.proxy.testing.Downstream;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.Metrics;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Version sets end to end: a real gateway with a settable clock in front of a real backend on port 0 (its /echo
 * answer shows which path went upstream). Selection by path, header, query and media-type parameter, defaults,
 * unknown versions, the deprecation headers' exact forms, 410 after the sunset, and the per-client counts.
 */
class VersionSetsProxyTest {
    static final Instant DEPRECATED = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant SUNSET = Instant.parse("2027-12-04T00:00:00Z");
    static final String CONFIG = """
            auth:
              apiKeys: {store: {type: file, path: keys.json}}
            versionSets:
              users:
                scheme: path
                default: v2
                versions:
                  v1:
                    deprecated: 2026-01-01T00:00:00Z
                    sunset: 2027-12-04T00:00:00Z
                    successor: v2
                    links: {deprecation: "https://docs.example.com/v1", sunset: "https://docs.example.com/v1-sunset"}
                  v2: {}
              orders:
                scheme: header
                default: v2
                versions:
                  v1: {deprecated: 2026-01-01T00:00:00Z, sunset: 2027-12-04T00:00:00Z, successor: v2}
                  v2: {}
              products:
                scheme: query
                versions:
                  v1: {deprecated: 2026-01-01T00:00:00Z, successor: v2}
                  v2: {}
              items:
                scheme: mediaType
                mediaType: application/vnd.acme+json
                default: v1
                versions:
                  v1: {deprecated: 2026-01-01T00:00:00Z, successor: v2, links: {successor: "https://docs.example.com/items-v2"}}
                  v2: {}
            clusters:
              b: {endpoints: [{address: "${b}"}]}
            routes:
              - {name: users-v1, match: {pathPrefix: /api/v1/users}, cluster: b, version: {set: users, name: v1}}
              - {name: users-v2, match: {pathPrefix: /api/v2/users}, cluster: b, version: {set: users, name: v2}}
              - {name: orders-v1, match: {pathPrefix: /orders}, cluster: b, rewrite: {prefix: /orders-v1}, version: {set: orders, name: v1}}
              - {name: orders-v2, match: {pathPrefix: /orders}, cluster: b, rewrite: {prefix: /orders-v2}, version: {set: orders, name: v2}}
              - {name: products-v1, match: {pathPrefix: /products}, cluster: b, rewrite: {prefix: /products-v1}, version: {set: products, name: v1}}
              - {name: products-v2, match: {pathPrefix: /products}, cluster: b, rewrite: {prefix: /products-v2}, version: {set: products, name: v2}}
              - {name: items-v1, match: {pathPrefix: /items}, cluster: b, rewrite: {prefix: /items-v1}, version: {set: items, name: v1}}
              - {name: items-v2, match: {pathPrefix: /items}, cluster: b, rewrite: {prefix: /items-v2}, version: {set: items, name: v2}}
              - name: keyed-v1
                match: {pathPrefix: /keyed/v1/users}
                cluster: b
                filters:
                  - auth: apiKey
                  - version: {set: users, name: v1}
            """;

    final TestClock clock = new TestClock(Instant.parse("2026-06-01T00:00:00Z"));
    TestBackend backend;
    ProxyFixture proxy;
    private Downstream downstream;
    private IssuedKey acme;
    private IssuedKey globex;

    @BeforeEach
    void start() throws Exception {
        Path dir = Files.createTempDirectory("strait-versions");
        try (FileApiKeyStore s = FileApiKeyStore.open(dir.resolve("keys.json"))) {
            acme = IssuedKey.issue(s, "acme", null, List.of(), List.of(), null, Instant.now());
            globex = IssuedKey.issue(s, "globex", null, List.of(), List.of(), null, Instant.now());
        }
        backend = new TestBackend("b");
        proxy = ProxyFixture.start(CONFIG, Map.of("b", backend.address()),
                new GatewayFilters(new StandardAuthenticators(), clock), dir);
        downstream = downstream(proxy);
    }

    /** How requests reach the gateway: HTTP/1.1 here ({@link VersionSetsOverHttp2Test}: HTTP/2). */
    Downstream downstream(ProxyFixture gateway) {
        return Downstream.http1(gateway);
    }

    @AfterEach
    void stop() {
        if (proxy != null) proxy.close();
        if (backend != null) backend.close();
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path)).GET();
        if (headers.length > 0) b.headers(headers);
        return downstream.send(b.build());
    }

    /** The path the backend received (its echo of the request target). */
    private static String upstreamUri(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).path("uri").asText();
    }

    private static List<String> header(HttpResponse<String> r, String name) {
        return r.headers().allValues(name);
    }

    @Test
    void pathSchemeServesEachVersionAndAnnouncesTheDeprecatedOneInExactFormats() {
        HttpResponse<String> v1 = get("/api/v1/users/7?page=2");
        assertThat(upstreamUri(v1)).isEqualTo("/api/v1/users/7?page=2");
        assertThat(header(v1, "Deprecation")).containsExactly("@1767225600");
        assertThat(header(v1, "Sunset")).containsExactly("Sat, 04 Dec 2027 00:00:00 GMT");
        assertThat(header(v1, "Link")).containsExactly("</api/v2/users/7>; rel=\"successor-version\", "
                + "<https://docs.example.com/v1>; rel=\"deprecation\", <https://docs.example.com/v1-sunset>; rel=\"sunset\"");

        HttpResponse<String> v2 = get("/api/v2/users");
        assertThat(upstreamUri(v2)).isEqualTo("/api/v2/users");
        assertThat(header(v2, "Deprecation")).isEmpty();
        assertThat(header(v2, "Sunset")).isEmpty();
        assertThat(header(v2, "Link")).isEmpty();
    }

    @Test
    void pathSchemeServesAPathWithoutTheVersionSegmentAsTheDefaultVersion() {
        HttpResponse<String> r = get("/api/users/7");
        assertThat(upstreamUri(r)).isEqualTo("/api/v2/users/7");
        assertThat(header(r, "Deprecation")).isEmpty();
        assertThat(get("/api/usersX").statusCode()).isEqualTo(404);
    }

    @Test
    void headerSchemeSelectsByHeaderWithTheDefaultWhenAbsent() {
        assertThat(upstreamUri(get("/orders/1"))).isEqualTo("/orders-v2/1");
        assertThat(upstreamUri(get("/orders/1", "X-API-Version", "v2"))).isEqualTo("/orders-v2/1");
        assertThat(upstreamUri(get("/orders/1", "X-API-Version", "2"))).isEqualTo("/orders-v2/1");
        HttpResponse<String> v1 = get("/orders/1", "X-API-Version", "v1");
        assertThat(upstreamUri(v1)).isEqualTo("/orders-v1/1");
        assertThat(header(v1, "Deprecation")).containsExactly("@1767225600");
        assertThat(header(v1, "Sunset")).containsExactly("Sat, 04 Dec 2027 00:00:00 GMT");
        assertThat(header(v1, "Link")).containsExactly("</orders/1>; rel=\"successor-version\"");
    }

    @Test
    void anUnknownVersionIsA400ListingTheKnownOnesAndNeverGoesUpstream() {
        int before = backend.requestCount();
        HttpResponse<String> r = get("/orders/1", "X-API-Version", "v9", "X-Request-Id", "req-unknown-1");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode body = Json.parse(r.body());
        assertThat(body.path("error").asText()).isEqualTo("unknown_api_version");
        assertThat(body.path("message").asText())
                .isEqualTo("unknown API version 'v9' in the X-API-Version header (known: v1, v2)");
        assertThat(body.path("requestId").asText()).isEqualTo("req-unknown-1");
        assertThat(backend.requestCount()).isEqualTo(before);
        assertThat(header(r, "Deprecation")).as("an unknown version's answer is about no version").isEmpty();
        assertThat(header(r, "Link")).isEmpty();
    }

    @Test
    void querySchemeSelectsByParameterAndRefusesNoneWithoutADefault() {
        assertThat(upstreamUri(get("/products?version=v2"))).isEqualTo("/products-v2?version=v2");
        HttpResponse<String> v1 = get("/products/9?a=1&version=v1&b=2");
        assertThat(upstreamUri(v1)).isEqualTo("/products-v1/9?a=1&version=v1&b=2");
        assertThat(header(v1, "Deprecation")).containsExactly("@1767225600");
        assertThat(header(v1, "Sunset")).isEmpty();
        assertThat(header(v1, "Link")).containsExactly("</products/9?a=1&version=v2&b=2>; rel=\"successor-version\"");

        HttpResponse<String> none = get("/products");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(Json.parse(none.body()).path("error").asText()).isEqualTo("api_version_required");
        assertThat(Json.parse(none.body()).path("message").asText())
                .isEqualTo("name the API version in the query parameter version (known: v1, v2)");
        HttpResponse<String> unknown = get("/products?version=v3");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(Json.parse(unknown.body()).path("error").asText()).isEqualTo("unknown_api_version");
    }

    @Test
    void mediaTypeSchemeSelectsByTheAcceptParameter() {
        assertThat(upstreamUri(get("/items", "Accept", "application/vnd.acme+json; version=2"))).isEqualTo("/items-v2");
        assertThat(upstreamUri(get("/items", "Accept", "text/html, application/vnd.acme+json;version=\"v2\";q=0.9")))
                .isEqualTo("/items-v2");
        assertThat(upstreamUri(get("/items", "Accept", "application/json"))).isEqualTo("/items-v1");
        HttpResponse<String> v1 = get("/items", "Accept", "Application/Vnd.Acme+JSON; Version=1");
        assertThat(upstreamUri(v1)).isEqualTo("/items-v1");
        assertThat(header(v1, "Link")).containsExactly("<https://docs.example.com/items-v2>; rel=\"successor-version\"");
        HttpResponse<String> unknown = get("/items", "Accept", "application/vnd.acme+json; version=5");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(Json.parse(unknown.body()).path("message").asText()).isEqualTo(
                "unknown API version '5' in the Accept header (application/vnd.acme+json; version=...) (known: v1, v2)");
    }

    @Test
    void afterItsSunsetAVersionAnswers410WithTheSuccessorLinkAndNeverGoesUpstream() {
        assertThat(get("/api/v1/users").statusCode()).isEqualTo(200);
        clock.set(SUNSET);
        int before = backend.requestCount();
        HttpResponse<String> gone = get("/api/v1/users/7", "X-Request-Id", "req-gone-1");
        assertThat(gone.statusCode()).isEqualTo(410);
        JsonNode body = Json.parse(gone.body());
        assertThat(body.path("error").asText()).isEqualTo("api_version_sunset");
        assertThat(body.path("message").asText())
                .isEqualTo("version v1 of API users was retired on Sat, 04 Dec 2027 00:00:00 GMT; use v2");
        assertThat(body.path("requestId").asText()).isEqualTo("req-gone-1");
        assertThat(header(gone, "Sunset")).containsExactly("Sat, 04 Dec 2027 00:00:00 GMT");
        assertThat(header(gone, "Deprecation")).containsExactly("@1767225600");
        assertThat(header(gone, "Link")).containsExactly("</api/v2/users/7>; rel=\"successor-version\", "
                + "<https://docs.example.com/v1>; rel=\"deprecation\", <https://docs.example.com/v1-sunset>; rel=\"sunset\"");
        HttpResponse<String> header = get("/orders", "X-API-Version", "v1");
        assertThat(header.statusCode()).isEqualTo(410);
        assertThat(header(header, "Link")).containsExactly("</orders>; rel=\"successor-version\"");
        assertThat(backend.requestCount()).isEqualTo(before);
        assertThat(upstreamUri(get("/api/v2/users/7"))).isEqualTo("/api/v2/users/7");

        clock.set(SUNSET.minusSeconds(1));
        assertThat(get("/api/v1/users").statusCode()).isEqualTo(200);
    }

    @Test
    void deprecatedCallsAreCountedPerClientOnceDeprecated() {
        clock.set(DEPRECATED.minusSeconds(60)); // announced (a future Deprecation date), not counted yet
        HttpResponse<String> early = get("/api/v1/users");
        assertThat(header(early, "Deprecation")).containsExactly("@1767225600");
        assertThat(count("anonymous")).isNaN();

        clock.set(DEPRECATED);
        get("/api/v1/users");
        get("/api/v1/users");
        get("/keyed/v1/users", "X-API-Key", acme.key());
        get("/keyed/v1/users", "X-API-Key", acme.key());
        get("/keyed/v1/users", "X-API-Key", acme.key());
        get("/keyed/v1/users", "X-API-Key", globex.key());
        get("/api/v2/users");
        assertThat(count("anonymous")).isEqualTo(2.0);
        assertThat(count("acme")).isEqualTo(3.0);
        assertThat(count("globex")).isEqualTo(1.0);
        assertThat(Metrics.scrape(proxy).sum("strait_api_deprecated_requests_total", Map.of("version", "v2"))).isZero();
    }

    @Test
    void theAdminConfigShowsVersionSetsAndRoutesVersionsAsWritten() throws Exception {
        HttpResponse<String> r = proxy.admin("GET", "/config");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode config = Json.parse(r.body());
        JsonNode items = config.path("versionSets").path("items");
        assertThat(items.path("scheme").asText()).isEqualTo("mediaType");
        assertThat(items.path("default").asText()).isEqualTo("v1");
        assertThat(items.path("versions").path("v1").path("deprecated").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(config.path("routes").path(0).path("filters").path(0).path("version").toString())
                .isEqualTo("{\"set\":\"users\",\"name\":\"v1\"}");
        // the section as shown loads again to the same sets
        String doc = "{\"clusters\": {\"c\": {\"endpoints\": [{\"address\": \"127.0.0.1:9001\"}]}}, \"versionSets\": "
                + config.path("versionSets") + "}";
        var again = io.strait.config.load.ConfigLoader.parseJson(doc, "GET /config", proxy.dir(), GatewayFilters.CATALOG);
        assertThat(again.versionSets()).isEqualTo(proxy.server().snapshot().config().versionSets());
    }

    @Test
    void aReloadMovesTheSunsetAndARefusedOneKeepsTheOldSets() throws Exception {
        Map<String, String> vars = Map.of("b", backend.address());
        // the sunset moved before now: v1 is retired at once
        proxy.writeConfig(CONFIG.replace("sunset: 2027-12-04T00:00:00Z\n", "sunset: 2026-05-01T00:00:00Z\n"), vars);
        HttpResponse<String> reload = proxy.admin("POST", "/reload");
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        assertThat(get("/api/v1/users").statusCode()).isEqualTo(410);

        proxy.writeConfig(CONFIG.replace("sunset: 2027-12-04T00:00:00Z\n", "sunset: 2025-01-01T00:00:00Z\n")
                .replace("{set: users, name: v2}}", "{set: userz, name: v2}}"), vars);
        HttpResponse<String> bad = proxy.admin("POST", "/reload");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        List<String> errors = new java.util.ArrayList<>();
        Json.parse(bad.body()).path("errors").forEach(e -> errors.add(e.asText()));
        assertThat(errors).containsExactly(
                "versionSets.users.versions.v1.sunset: earlier than deprecated (2026-01-01T00:00:00Z)",
                "routes[1].version.set: unknown version set 'userz' (did you mean 'users'?)");
        assertThat(get("/api/v1/users").statusCode()).as("the previous configuration still serves").isEqualTo(410);
        assertThat(upstreamUri(get("/api/v2/users"))).isEqualTo("/api/v2/users");
    }

    private double count(String client) {
        return Metrics.scrape(proxy).value("strait_api_deprecated_requests_total",
                Map.of("version_set", "users", "version", "v1", "client", client));
    }
}
