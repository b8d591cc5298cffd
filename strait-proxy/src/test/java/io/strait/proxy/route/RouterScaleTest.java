package io.strait.proxy.route;

import static io.strait.proxy.route.TestRoutes.req;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.RouteConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Ten thousand routes of every kind, each found by a request made for it. */
class RouterScaleTest {
    private static final int ROUTES = 10_000;

    /** Route i and a request (host, method, path) that must reach it and no other. */
    private record Case(TestRoutes route, String host, String method, String path, String expectedParam) {}

    private static Case caseFor(int i) {
        return switch (i % 5) {
            case 0 -> new Case(TestRoutes.exact("r" + i, "/exact/" + i + "/list"), null, "GET", "/exact/" + i + "/list", null);
            case 1 -> new Case(TestRoutes.prefix("r" + i, "/svc/" + i), null, "GET", "/svc/" + i + "/deep/path", null);
            case 2 -> new Case(TestRoutes.template("r" + i, "/t/" + i + "/{id}/orders"), null, "GET",
                    "/t/" + i + "/abc/orders", "abc");
            case 3 -> new Case(TestRoutes.prefix("r" + i, "/hosted").hosts("h" + i + ".example.com"),
                    "h" + i + ".example.com", "GET", "/hosted/x", null);
            default -> new Case(TestRoutes.exact("r" + i, "/m/" + i).methods("POST"), null, "POST", "/m/" + i, null);
        };
    }

    @Test
    void tenThousandRoutesEachMatchTheirOwnRequest() {
        List<Case> cases = IntStream.range(0, ROUTES).mapToObj(RouterScaleTest::caseFor).toList();
        List<RouteConfig> configs = new ArrayList<>();
        cases.forEach(c -> configs.add(c.route().build()));
        configs.add(TestRoutes.regex("regex", "/re/[a-z]+").build());
        Router router = Router.build(configs);
        assertThat(router.routes()).hasSize(ROUTES + 1);

        IntStream.range(0, ROUTES).parallel().forEach(i -> {
            Case c = cases.get(i);
            RouteMatchResult m = router.match(req(c.host(), c.method(), c.path(), null, null));
            assertThat(m).as("request for r%d", i).isNotNull();
            assertThat(m.route().name()).isEqualTo("r" + i);
            if (c.expectedParam() != null) assertThat(m.pathParams()).containsEntry("id", c.expectedParam());
        });

        assertThat(router.match(req(null, "GET", "/svc/" + ROUTES, null, null))).isNull();
        assertThat(router.match(req(null, "GET", "/svc/12X/a", null, null))).isNull();
        assertThat(router.match(req(null, "GET", "/m/4", null, null))).as("method condition").isNull();
        assertThat(router.match(req("h3.example.com", "GET", "/other", null, null))).isNull();
        assertThat(router.match(req(null, "GET", "/hosted/x", null, null))).as("host condition").isNull();
        assertThat(router.match(req(null, "GET", "/re/abc", null, null)).route().name()).isEqualTo("regex");
    }
}
