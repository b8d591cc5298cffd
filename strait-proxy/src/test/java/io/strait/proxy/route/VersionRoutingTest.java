package io.strait.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import org.junit.jupiter.api.Test;

/** The router's part of version sets: selection by header, query and media type; the path scheme's default alias. */
class VersionRoutingTest {
    private static final String SETS = """
            clusters: {c: {endpoints: [{address: 127.0.0.1:9001}]}}
            versionSets:
              users: {scheme: path, default: v2, versions: {v1: {}, v2: {}}}
              root: {scheme: path, default: v2, versions: {v1: {}, v2: {}}}
              orders: {scheme: header, default: v2, versions: {v1: {}, v2: {}}}
              items: {scheme: query, query: api-version, versions: {v1: {}, v2: {}}}
              media: {scheme: mediaType, mediaType: application/vnd.acme+json, default: v1, versions: {v1: {}, v2: {}}}
            """;

    private static Router router(String routes) throws Exception {
        StraitConfig c = ConfigLoader.parse(SETS + routes, "test.yaml");
        return Router.build(c.routes());
    }

    private static RouteMatchResult match(Router r, String path, String query, String... headers) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < headers.length; i += 2) h.add(headers[i], headers[i + 1]);
        return r.match(RouteRequest.of("example.com", "GET", path, query, h));
    }

    private static String name(RouteMatchResult m) {
        return m == null ? null : m.route().name();
    }

    @Test
    void headerQueryAndMediaTypeSchemesSelectTheRouteOfTheNamedVersion() throws Exception {
        Router r = router("""
                routes:
                  - {name: plain, match: {pathPrefix: /plain}, cluster: c}
                  - {name: o1, match: {pathPrefix: /orders}, cluster: c, version: {set: orders, name: v1}}
                  - {name: o2, match: {pathPrefix: /orders}, cluster: c, version: {set: orders, name: v2}}
                  - {name: i1, match: {pathPrefix: /items}, cluster: c, version: {set: items, name: v1}}
                  - {name: i2, match: {pathPrefix: /items}, cluster: c, version: {set: items, name: v2}}
                  - {name: m1, match: {pathPrefix: /media}, cluster: c, version: {set: media, name: v1}}
                  - {name: m2, match: {pathPrefix: /media}, cluster: c, version: {set: media, name: v2}}
                """);
        assertThat(name(match(r, "/plain", null, "X-API-Version", "v9"))).isEqualTo("plain");
        assertThat(name(match(r, "/orders", null))).isEqualTo("o2");
        assertThat(name(match(r, "/orders", null, "X-API-Version", "v1"))).isEqualTo("o1");
        assertThat(name(match(r, "/orders", null, "x-api-version", "1"))).isEqualTo("o1");
        assertThat(name(match(r, "/orders", null, "X-API-Version", "v9"))).as("to the filter, which answers 400").isEqualTo("o1");
        assertThat(name(match(r, "/items", "a=1&api-version=v2"))).isEqualTo("i2");
        assertThat(name(match(r, "/items", "api-version=1"))).isEqualTo("i1");
        assertThat(name(match(r, "/items", "version=v2"))).as("no default: to the filter, which answers 400").isEqualTo("i1");
        assertThat(name(match(r, "/media", null, "Accept", "application/vnd.acme+json; charset=utf-8; version=2"))).isEqualTo("m2");
        assertThat(name(match(r, "/media", null, "Accept", "application/vnd.other+json; version=2"))).isEqualTo("m1");
    }

    @Test
    void thePathSchemesDefaultAlsoServesThePathWithoutItsVersionSegment() throws Exception {
        Router r = router("""
                routes:
                  - {name: u1, match: {pathPrefix: /api/v1/users}, cluster: c, version: {set: users, name: v1}}
                  - {name: u2, match: {pathPrefix: /api/v2/users}, cluster: c, version: {set: users, name: v2}}
                  - {name: r2, match: {pathPrefix: /v2}, cluster: c, version: {set: root, name: v2}}
                """);
        RouteMatchResult m = match(r, "/api/users/7", null);
        assertThat(name(m)).isEqualTo("u2");
        assertThat(m.route().rewritePath("/api/users/7")).isEqualTo("/api/v2/users/7");
        assertThat(name(match(r, "/api/v1/users", null))).isEqualTo("u1");
        assertThat(name(match(r, "/api/v2/users", null))).isEqualTo("u2");
        assertThat(name(match(r, "/elsewhere", null))).as("a version alone in the path gets no alias").isNull();
        assertThat(r.routes()).hasSize(3);
    }

    @Test
    void aDeclaredRouteOfTheSamePathComesBeforeTheAliasAndARewriteApplies() throws Exception {
        Router r = router("""
                routes:
                  - {name: u2, match: {pathPrefix: /api/v2/users}, cluster: c, rewrite: {prefix: /users}, version: {set: users, name: v2}}
                  - {name: legacy, match: {pathPrefix: /api/users/legacy}, cluster: c}
                  - {name: own, match: {path: /api/users}, cluster: c}
                """);
        assertThat(name(match(r, "/api/users", null))).isEqualTo("own");
        assertThat(name(match(r, "/api/users/legacy/1", null))).isEqualTo("legacy");
        RouteMatchResult m = match(r, "/api/users/7", null);
        assertThat(name(m)).isEqualTo("u2");
        assertThat(m.route().rewritePath("/api/users/7")).isEqualTo("/users/7");
    }

    @Test
    void withoutSegmentDropsOneWholeSegment() {
        assertThat(DefaultVersionAlias.withoutSegment("/api/v2/users", 1)).isEqualTo("/api/users");
        assertThat(DefaultVersionAlias.withoutSegment("/v2/users", 0)).isEqualTo("/users");
        assertThat(DefaultVersionAlias.withoutSegment("/api/v2", 1)).isEqualTo("/api");
        assertThat(DefaultVersionAlias.withoutSegment("/api/v2/", 1)).isEqualTo("/api/");
        assertThat(DefaultVersionAlias.withoutSegment("/v2", 0)).isEqualTo("/");
    }
}
