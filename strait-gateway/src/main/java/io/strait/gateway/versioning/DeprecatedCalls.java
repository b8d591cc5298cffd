package io.strait.gateway.versioning;

import io.netty.util.AttributeKey;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strait.gateway.auth.Identity;
import io.strait.proxy.filter.RequestContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code strait_api_deprecated_requests_total{version_set, version, client}}: the calls of deprecated (and sunset)
 * versions, so an operator sees who still has to move. The client is the caller's tenant, else its API key id, else
 * its JWT subject, else {@value #ANONYMOUS}. Clients come from outside, so each version keeps at most
 * {@value #MAX_CLIENTS_PER_VERSION} client labels; later clients are counted under {@value #OTHER}. Shared by every
 * configuration (the counts outlive reloads); safe on any thread.
 */
public final class DeprecatedCalls {
    /**
     * Enough for every client of a typical API to be named, while a deprecated version can add at most this many
     * series to a scrape however many callers it has.
     */
    public static final int MAX_CLIENTS_PER_VERSION = 100;
    /** Labels longer than this are cut: a label value is for reading, and a client's name should not grow a scrape. */
    static final int MAX_CLIENT_LABEL_LENGTH = 64;
    public static final String ANONYMOUS = "anonymous";
    public static final String OTHER = "other";
    private static final AttributeKey<Identity> IDENTITY = Identity.KEY;

    /** Null until {@link #register} (filters built without a registry count nowhere). */
    private volatile Counter counter;
    /** By {@code set + '\0' + version}: the clients named so far. */
    private final ConcurrentHashMap<String, Set<String>> clients = new ConcurrentHashMap<>();

    public void register(PrometheusRegistry registry) {
        counter = Counter.builder()
                .name("strait_api_deprecated_requests_total")
                .help("Requests to deprecated API versions (sunset ones included), by version set, version and client"
                        + " (tenant, else API key id, else JWT subject, else anonymous; at most "
                        + MAX_CLIENTS_PER_VERSION + " clients per version, then 'other')")
                .labelNames("version_set", "version", "client")
                .withoutExemplars()
                .register(registry);
    }

    /** Counts one call of {@code version} of {@code set} by the request's caller. */
    void count(String set, String version, RequestContext ctx) {
        Counter c = counter;
        if (c == null) return;
        c.labelValues(set, version, bounded(set, version, client(ctx))).inc();
    }

    private String bounded(String set, String version, String client) {
        Set<String> known = clients.computeIfAbsent(set + '\0' + version, k -> ConcurrentHashMap.newKeySet());
        if (known.contains(client)) return client;
        synchronized (known) {
            if (known.size() >= MAX_CLIENTS_PER_VERSION) return OTHER;
            known.add(client);
            return client;
        }
    }

    /** The caller as the label names it. */
    static String client(RequestContext ctx) {
        Identity id = ctx.attrValue(IDENTITY);
        if (id == null) return ANONYMOUS;
        String c = id.tenant() != null ? id.tenant() : id.keyId() != null ? id.keyId() : id.userId();
        if (c == null || c.isEmpty()) return ANONYMOUS;
        return c.length() > MAX_CLIENT_LABEL_LENGTH ? c.substring(0, MAX_CLIENT_LABEL_LENGTH) : c;
    }
}
