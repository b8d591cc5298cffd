package io.strait.mesh.authz;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.prometheus.metrics.core.metrics.Counter;
import io.strait.config.model.PathPolicy;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.route.PathNormalizer;
import io.strait.proxy.http.ReplyReason;
import java.security.cert.X509Certificate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's authorization: evaluates the workload's compiled policies for every request and answers a denial
 * with {@code 403 {"error":"rbac_denied","message":"RBAC: access denied",...}}, logged and counted by policy and rule.
 * The caller is the URI SAN of the client certificate the listener verified; none is a plaintext caller.
 */
public final class AuthzFilter implements HttpFilter {
    private static final Logger log = LoggerFactory.getLogger(AuthzFilter.class);
    static final String ERROR = "rbac_denied";
    static final String MESSAGE = "RBAC: access denied";
    /** The label a denial gets when no policy decided it (no ALLOW policy matched). */
    static final String NO_POLICY = "none";

    private final AuthzEngine.Workload workload;
    private final Counter denials;
    /** A connection's peer, read once per connection from its certificate (which never changes). */
    private static final AttributeKey<Peer> PEER = AttributeKey.valueOf("strait.mesh.authzPeer");

    /** {@code denials}: a counter labelled {@code policy}, {@code rule} (see {@link #denialCounter()}). */
    public AuthzFilter(AuthzEngine.Workload workload, Counter denials) {
        this.workload = workload;
        this.denials = denials;
    }

    /** {@code strait_authz_denied_total{policy,rule}}, to register with the process's registry. */
    public static Counter denialCounter() {
        return Counter.builder().name("strait_authz_denied_total")
                .help("Requests denied by authorization policy, by deciding policy (namespace/name, none) and rule")
                .labelNames("policy", "rule").build();
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        String path = ctx.path();
        if (path == null) {
            PathNormalizer.Result r = PathNormalizer.normalize(ctx.request().uri(), PathPolicy.DEFAULT);
            if (!r.ok()) return FilterResult.respond(ReplyReason.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "bad_request", "invalid request path: " + r.rejection());
            path = r.path();
        }
        AuthzDecision d = workload.evaluate(new Attributes(ctx, peer(ctx), path));
        if (d.allowed()) return FilterResult.CONTINUE;
        String policy = d.policy() == null ? NO_POLICY : d.policy();
        denials.labelValues(policy, d.policy() == null ? NO_POLICY : Integer.toString(d.rule())).inc();
        log.info("request {} denied: {} {} from {}: {}", ctx.requestId(), ctx.request().method(),
                ctx.request().uri(), principalOrPlaintext(ctx), d.describe());
        return FilterResult.respond(ReplyReason.AUTH, HttpResponseStatus.FORBIDDEN, ERROR, MESSAGE);
    }

    private String principalOrPlaintext(RequestContext ctx) {
        String p = peer(ctx).principal();
        return p == null ? "a plaintext caller" : p;
    }

    private static Peer peer(RequestContext ctx) {
        X509Certificate cert = ctx.peerCertificate();
        if (cert == null) return Peer.PLAINTEXT;
        Attribute<Peer> a = ctx.connectionAttr(PEER);
        Peer p = a.get();
        if (p == null) a.set(p = PeerIdentity.of(cert));
        return p;
    }

    /** The request as rules see it: the path the router matched (normalized, no query). */
    private static final class Attributes implements RequestAttributes {
        private final RequestContext ctx;
        private final Peer peer;
        private final String path;

        Attributes(RequestContext ctx, Peer peer, String path) {
            this.ctx = ctx;
            this.peer = peer;
            this.path = path;
        }

        @Override
        public Peer peer() {
            return peer;
        }

        @Override
        public String method() {
            return ctx.request().method().name();
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String header(String name) {
            List<String> all = ctx.headers().getAll(name);
            if (all.isEmpty()) return null;
            return all.size() == 1 ? all.get(0) : String.join(",", all);
        }
    }
}
