package io.strait.config.load;

import static io.strait.config.load.Yaml.assertErrors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.model.StraitConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin token, listeners' route lists, JSON documents and the checks a model built by code gets. */
class ConfigSourcesTest {
    static final String C = "clusters: {c: {endpoints: [{address: 127.0.0.1:9001}]}}\n";
    static final String ROUTES = C + "routes:\n  - {name: users, cluster: c, match: {pathPrefix: /u}}\n"
            + "  - {name: orders, cluster: c, match: {pathPrefix: /o}}\n";
    static final String TOKEN = "0123456789abcdef0123";

    @Test
    void theAdminTokenIsReadAndNeverPrinted() {
        StraitConfig c = Yaml.load("admin: {address: 0.0.0.0:9901, token: " + TOKEN + "}");
        assertThat(c.admin().token()).isEqualTo(TOKEN);
        assertThat(c.admin().toString()).doesNotContain(TOKEN).contains("***");
        assertThat(c.toString()).doesNotContain(TOKEN);
        assertThat(Yaml.load("zone: a").admin().token()).isNull();
    }

    @Test
    void aTokenFileIsReadWithoutItsNewline(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        StraitConfig c = ConfigLoader.parse("admin: {tokenFile: admin.token}", "t.yaml", dir);
        assertThat(c.admin().token()).isEqualTo(TOKEN);
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse("admin: {tokenFile: missing.token}", "t.yaml", dir));
        assertThat(e.errors()).containsExactly("admin.tokenFile: cannot read " + dir.resolve("missing.token") + ": no such file");
    }

    @Test
    void badTokensAreRefused() {
        assertErrors("admin: {token: short}", "admin.token: must have at least 16 characters");
        assertErrors("admin: {token: \"0123456789abcdef 0\"}",
                "admin.token: must be printable ASCII without spaces (it is sent in an Authorization header)");
        assertErrors("admin: {token: " + TOKEN + ", tokenFile: t}", "admin.tokenFile: set either token or tokenFile, not both");
    }

    @Test
    void theAdminApiTakesTlsWithClientCertificates() throws Exception {
        Path certs = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("src/test/resources/admin-tls");
        StraitConfig c = ConfigLoader.parse("admin: {address: 0.0.0.0:9901, tls: {certificates: [{certFile: api.pem, keyFile: api.key}],"
                + " clientAuth: {mode: require, caFile: partners-ca.pem}}}", "t.yaml", certs);
        assertThat(c.admin().tls().certificates()).hasSize(1);
        assertThat(c.admin().tls().clientAuth().mode()).isEqualTo(io.strait.config.model.TlsConfig.ClientAuth.Mode.REQUIRE);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(
                "admin: {tls: {certificates: [{certFile: api.pem, keyFile: api.key}], hsts: {maxAge: 1d}, clientAuth: {mode: optional}}}",
                "t.yaml", certs));
        assertThat(e.errors()).contains("admin.tls.hsts: is not sent by the admin API; leave it out");
        assertThat(e.errors()).anySatisfy(m -> assertThat(m).startsWith("admin.tls.clientAuth"));
    }

    @Test
    void listenersNameTheirRoutes() {
        StraitConfig c = Yaml.load(ROUTES + "listeners:\n  - {name: in, address: 127.0.0.1:1, routes: [orders]}\n"
                + "  - {name: out, address: 127.0.0.1:2}\n");
        assertThat(c.listeners().get(0).routes()).containsExactly("orders");
        assertThat(c.listeners().get(0).namesRoutes()).isTrue();
        assertThat(c.listeners().get(1).routes()).isNull();
        assertThat(c.listeners().get(1).namesRoutes()).isFalse();
    }

    @Test
    void unknownOrRepeatedRouteNamesAreErrorsWithTheirPath() {
        assertErrors(ROUTES + "listeners: [{address: 127.0.0.1:1, routes: [users, user, nope, users]}]",
                "listeners[0].routes[1]: unknown route 'user' (did you mean 'users'?)",
                "listeners[0].routes[2]: unknown route 'nope'",
                "listeners[0].routes[3]: route 'users' is listed twice");
        assertErrors(ROUTES + "listeners: [{address: 127.0.0.1:1, routes: users}]",
                "listeners[0].routes: must be a list of strings (was 'users')");
    }

    @Test
    void aJsonDocumentGivesTheSameModelAndMessages() throws Exception {
        String yaml = ROUTES + "listeners: [{name: in, address: 127.0.0.1:1, routes: [orders]}]\n";
        String json = """
                {"clusters": {"c": {"endpoints": [{"address": "127.0.0.1:9001"}]}},
                 "routes": [{"name": "users", "cluster": "c", "match": {"pathPrefix": "/u"}},
                            {"name": "orders", "cluster": "c", "match": {"pathPrefix": "/o"}}],
                 "listeners": [{"name": "in", "address": "127.0.0.1:1", "routes": ["orders"]}]}
                """;
        Path here = Path.of("").toAbsolutePath();
        assertThat(ConfigLoader.parseJson(json, "j", here)).isEqualTo(ConfigLoader.parse(yaml, "y", here));
        ConfigException dup = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parseJson("{\"zone\": \"a\", \"zone\": \"b\"}", "PUT /config", here));
        assertThat(dup.errors()).singleElement().asString().startsWith("PUT /config: not valid JSON").contains("duplicate key 'zone'");
        ConfigException two = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parseJson("{\"zone\": \"a\"} {}", "PUT /config", here));
        assertThat(two.errors()).singleElement().asString().contains("more than one value");
        ConfigException wrong = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parseJson("{\"routes\": [{\"cluster\": \"x\"}]}", "PUT /config", here));
        assertThat(wrong.errors()).containsExactly("routes[0].cluster: unknown cluster 'x' (the file defines no clusters)");
    }

    @Test
    void aModelBuiltByCodeGetsTheCrossSectionChecks() {
        StraitConfig ok = Yaml.load(ROUTES + "listeners: [{address: 127.0.0.1:1, routes: [orders]}]");
        assertThat(ConfigCheck.check(ok)).isEmpty();
        var l = ok.listeners().get(0);
        var broken = new io.strait.config.model.ListenerConfig("dup", new io.strait.config.model.HostPort("127.0.0.1", 1),
                l.protocols(), l.maxRequestLineLength(), l.maxHeaderSize(), l.maxHeaderCount(), l.maxRequestBodySize(),
                l.requestHeadersTimeout(), l.requestTimeout(), l.idleTimeout(), l.xffTrustedHops(), l.paths(), null, null,
                List.of("order"), List.of());
        StraitConfig bad = new StraitConfig(new io.strait.config.model.AdminConfig(ok.admin().address(), "short"),
                List.of(broken, broken), ok.clusters(), List.of(ok.routes().get(0), ok.routes().get(0)), ok.observability(),
                null, ok.drainTimeout());
        assertThat(ConfigCheck.check(bad)).containsExactly(
                "admin.token: must have at least 16 characters",
                "listeners[1].name: duplicate listener name 'dup'",
                "routes[1].name: duplicate route name 'users'",
                "listeners[0].routes[0]: unknown route 'order'",
                "listeners[1].routes[0]: unknown route 'order'",
                "listeners[1].address: 127.0.0.1:1 is already used by listeners[0].address (127.0.0.1:1)");
    }
}
