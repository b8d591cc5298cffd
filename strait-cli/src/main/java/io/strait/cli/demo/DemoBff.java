package io.strait.cli.demo;

/**
 * The demo's two backends for frontends over the same services: {@code /mobile/...} (small payloads: field
 * selection, a tighter rate limit) and {@code /web/...} (whole documents, the browser's CORS, a looser limit),
 * each with a home page aggregated from several services. Same credentials as every demo route.
 */
final class DemoBff {
    private DemoBff() {}

    /** The mobile app's calls per caller per window: a phone polls less than a browser tab. */
    static final int MOBILE_LIMIT = 20;
    /** The web app's calls per caller per window. */
    static final int WEB_LIMIT = 50;

    /** The BFFs' own rate-limit policies, under {@code rateLimits.policies}. */
    static void policies(StringBuilder y) {
        y.append("    mobile-client: {limit: ").append(MOBILE_LIMIT).append(", window: ").append(Demo.DEMO_WINDOW)
                .append(", key: [client]}\n");
        y.append("    web-client: {limit: ").append(WEB_LIMIT).append(", window: ").append(Demo.DEMO_WINDOW).append(", key: [client]}\n");
    }

    /** The BFF routes, appended to {@code routes}. */
    static void routes(StringBuilder y) {
        String auth = "      - auth: {anyOf: [jwt:demo, apiKey], scopes: [users:read, orders:read]}\n";
        y.append("  # mobile BFF: the phone picks fields (?fields=data.name), never sees the upstream's plumbing\n");
        y.append("  - name: mobile-users\n");
        y.append("    match: {pathPrefix: /mobile/users}\n");
        y.append("    cluster: users\n");
        y.append("    rewrite: {prefix: /api/v1/users}\n");
        y.append("    filters:\n").append(auth);
        y.append("      - rateLimit: [mobile-client]\n");
        y.append("      - fields: {allow: [service, version, requestId, user, data], deny: [forwardedClientCert]}\n");
        y.append("  # mobile home screen: the user and their orders in one round trip\n");
        y.append("  - name: mobile-home\n");
        y.append("    match: {pathTemplate: \"/mobile/home/{userId}\"}\n");
        y.append("    filters:\n").append(auth);
        y.append("      - rateLimit: [mobile-client]\n");
        y.append("    aggregate:\n");
        y.append("      timeout: 2s\n");
        y.append("      calls:\n");
        y.append("        user: {cluster: users, path: \"/api/v1/users/{userId}\"}\n");
        y.append("        orders: {cluster: orders, path: /api/v1/orders, query: {user: \"{userId}\"}}\n");
        y.append("  # web BFF: whole documents, the browser's CORS, its own limit\n");
        y.append("  - name: web-home\n");
        y.append("    match: {pathTemplate: \"/web/home/{userId}\"}\n");
        y.append("    filters:\n");
        y.append("      - cors: {allowOrigins: [\"").append(Demo.DEMO_WEB_ORIGIN).append("\"], allowHeaders: [Authorization, X-API-Key]}\n");
        y.append("      - auth: {anyOf: [jwt:demo, apiKey], scopes: [users:read, orders:read, products:read]}\n");
        y.append("      - rateLimit: [web-client]\n");
        y.append("    aggregate:\n");
        y.append("      timeout: 2s\n");
        y.append("      calls:\n");
        y.append("        user: {cluster: users, path: \"/api/v1/users/{userId}\"}\n");
        y.append("        orders: {cluster: orders, path: /api/v1/orders, query: {user: \"{userId}\"}}\n");
        y.append("        recommended: {cluster: products, path: /api/v1/products}\n");
    }
}
