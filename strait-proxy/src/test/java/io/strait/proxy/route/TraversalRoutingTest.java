package io.strait.proxy.route;

import static io.strait.proxy.route.TestRoutes.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.PathPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Normalization and routing together: a traversal never lands in a route its raw path looks like it is under. */
class TraversalRoutingTest {
    private static final Router USERS_ONLY = TestRoutes.router(prefix("users", "/api/v1/users"));
    private static final Router WITH_ADMIN = TestRoutes.router(prefix("users", "/api/v1/users"),
            prefix("v1-admin", "/api/v1/admin"), prefix("admin", "/api/admin"));

    /** The route name for a raw target, "404" for no route, "400" for a rejected path. */
    private static String route(Router router, String target) {
        PathNormalizer.Result n = PathNormalizer.normalize(target, PathPolicy.DEFAULT);
        if (!n.ok()) return "400";
        RouteMatchResult m = router.match(RouteRequest.of(null, "GET", n.path(), n.query(), null));
        return m == null ? "404" : m.route().name();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/users/../admin", "/api/v1/users/%2e%2e/admin", "/api/v1/users/%2E%2e/admin",
            "/api/v1/users/.%2e/admin", "/api/v1/users/./../admin", "/api/v1/users//../admin"})
    void traversalOutOfAPrefixFindsOnlyWhatExistsThere(String target) {
        assertThat(route(USERS_ONLY, target)).isEqualTo("404");
        assertThat(route(WITH_ADMIN, target)).isEqualTo("v1-admin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/users/../../admin", "/api/v1/users/%2e%2e/%2e%2e/admin",
            "/api/v1/users/x/../../../admin/"})
    void twoLevelsUpReachesApiAdminOnlyWhenItExists(String target) {
        assertThat(route(USERS_ONLY, target)).isEqualTo("404");
        assertThat(route(WITH_ADMIN, target)).isEqualTo("admin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/users/..;/admin", "/api/v1/users/..%2fadmin", "/api/v1/users/..%5Cadmin",
            "/api/v1/users/..\\admin", "/api/v1/users/%2e%2e;/admin", "/api/v1/users/%2e%2e%00/admin"})
    void tricksAUpstreamMightHonourAreRejected(String target) {
        assertThat(route(USERS_ONLY, target)).isEqualTo("400");
        assertThat(route(WITH_ADMIN, target)).isEqualTo("400");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/users/%252e%252e/admin", "/api/v1/users/...", "/api/v1/users/admin..",
            "/api/v1/users/%c0%ae%c0%ae/admin"})
    void lookalikesStayInsideTheirPrefix(String target) {
        assertThat(route(USERS_ONLY, target)).isEqualTo("users");
    }
}
