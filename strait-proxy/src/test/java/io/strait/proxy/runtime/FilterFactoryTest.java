package io.strait.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strait.config.load.ConfigLoader;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FilterFactoryTest {
    private static final String CONFIG = """
            clusters:
              c: {endpoints: [{address: "127.0.0.1:${port}"}]}
            routes:
              - {name: ${route}, match: {pathPrefix: /}, cluster: c}
            """;

    /** Tags each request with the route's name; refuses configurations with a route called "refused". */
    static final class Tagging implements FilterFactory {
        final AtomicInteger prepared = new AtomicInteger();

        @Override
        public void prepare(StraitConfig config) {
            prepared.incrementAndGet();
            for (RouteConfig r : config.routes()) {
                if (r.name().equals("refused")) throw new IllegalArgumentException("routes[0].name: refused by the factory");
            }
        }

        @Override
        public List<HttpFilter> routeFilters(RouteConfig route) {
            HttpFilter tag = ctx -> {
                ctx.headers().set("X-Tag", route.name());
                return FilterResult.CONTINUE;
            };
            return List.of(tag);
        }
    }

    @Test
    void routeFiltersRunAndAreRebuiltOnReload() throws Exception {
        try (TestBackend backend = new TestBackend("b");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, Map.of("port", "" + backend.port(), "route", "first"), new Tagging())) {
            assertThat(Json.parse(proxy.get("/echo").body()).path("headers").path("x-tag").asText()).isEqualTo("first");
            proxy.writeConfig(CONFIG, Map.of("port", "" + backend.port(), "route", "second"));
            assertThat(proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
            assertThat(Json.parse(proxy.get("/echo").body()).path("headers").path("x-tag").asText()).isEqualTo("second");
        }
    }

    @Test
    void aConfigurationTheFactoryRefusesIsNotApplied() throws Exception {
        Tagging tagging = new Tagging();
        try (TestBackend backend = new TestBackend("b");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, Map.of("port", "" + backend.port(), "route", "kept"), tagging)) {
            proxy.writeConfig(CONFIG, Map.of("port", "" + backend.port(), "route", "refused"));
            var reload = proxy.admin("POST", "/reload");
            assertThat(reload.statusCode()).isEqualTo(400);
            assertThat(reload.body()).contains("routes[0].name: refused by the factory");
            assertThat(Json.parse(proxy.get("/echo").body()).path("headers").path("x-tag").asText()).isEqualTo("kept");
            assertThat(tagging.prepared.get()).isGreaterThanOrEqualTo(2); // the file watcher may reload too
        }
    }

    @Test
    void theBareEngineRefusesRoutesThatNeedAuthentication() throws Exception {
        Path file = Files.createTempFile("strait", ".yaml");
        Files.writeString(file, """
                listeners: [{name: public, address: "127.0.0.1:0"}]
                admin: {address: "127.0.0.1:0"}
                auth:
                  apiKeys: {}
                clusters:
                  c: {endpoints: [{address: "127.0.0.1:1"}]}
                routes:
                  - {name: r, match: {pathPrefix: /}, cluster: c, auth: apiKey}
                """);
        StraitConfig config = ConfigLoader.load(file);
        assertThatThrownBy(() -> ProxyServer.start(config, file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("routes[0].auth: this process has no authentication filters");
    }
}
