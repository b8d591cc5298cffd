package io.strait.cli.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.cli.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code strait explain} on the documentation's complete example (examples/gateway.yaml, docs/configuration.md). */
class ExplainDocsTest {
    static final String EXAMPLE = Path.of("..", "examples", "gateway.yaml").toString();

    static String explain(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "explain";
        all[1] = "--config";
        all[2] = EXAMPLE;
        System.arraycopy(args, 0, all, 3, args.length);
        Cli.Run r = Cli.run(all);
        assertThat(r.code()).as(r.err()).isZero();
        return r.out();
    }

    @Test
    void theExampleRoutesAWeightedClusterAndShowsItsEndpoints() {
        assertThat(explain("GET", "/api/v1/products/7?x=1")).contains(
                "request   GET /api/v1/products/7?x=1",
                "route     routes[2] 'products': prefix /api/v1/products, methods [GET, HEAD]",
                "cluster   products: round-robin, http1",
                "127.0.0.1:9005 weight 3",
                "127.0.0.1:9006 weight 1",
                "routes[0] 'users': path: /api/v1/products/7 is not under /api/v1/users");
    }

    @Test
    void aMethodNoRouteTakesIsThe404WithTheMethodAsReason() {
        assertThat(explain("DELETE", "/api/v1/orders/1")).contains(
                "no route matched:",
                "routes[1] 'orders': method: DELETE is not one of [GET, POST]",
                "answer    404 route_not_found: no route for DELETE /api/v1/orders/1");
    }

    @Test
    void thePathIsNormalizedAsTheListenerDoesFirst() {
        assertThat(explain("GET", "/api/v1/./users/../users/42")).contains("request   GET /api/v1/users/42", "routes[0] 'users'");
        // encoded dot segments are decoded and resolved before routing, as the listener does
        assertThat(explain("GET", "/api/v1/%2e%2e/%2e%2e/etc")).contains("answer    404 route_not_found: no route for GET /etc");
    }
}
