package io.strait.mesh.peerauth;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.strait.mesh.identity.SvidException;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.ReplyReason;
import io.strait.proxy.observe.Caller;
import java.security.cert.X509Certificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a caller whose client certificate (verified by the TLS handshake against the trust bundle) is not an
 * SVID of the trust domain ({@link SvidRules}; a sidecar's inbound handshake already applies them, this filter
 * brings them to a listener configured by file): several URI SANs or none, a URI that is not a mesh SPIFFE ID, another trust domain,
 * a CA certificate. The answer is {@code 403 {"error":"peer_not_svid",...}} saying why; the request never reaches
 * the app. A plaintext caller (PERMISSIVE) passes: authorization sees it without a principal.
 */
public final class PeerAuthFilter implements HttpFilter {
    private static final Logger log = LoggerFactory.getLogger(PeerAuthFilter.class);
    static final String ERROR = "peer_not_svid";

    private final String trustDomain;
    /** A connection's verdict, made once per connection (its certificate never changes), with the trust domain it was made for. */
    private static final AttributeKey<Verdict> VERDICT = AttributeKey.valueOf("strait.mesh.peerAuthVerdict");

    /**
     * What {@link #problem} said of the connection's certificate (null: an SVID) under {@code trustDomain}, and the
     * caller the access log names (its SPIFFE ID as the subject), made once per connection.
     */
    private record Verdict(String trustDomain, String problem, Caller caller) {}

    public PeerAuthFilter(PeerAuthConfig config) {
        this.trustDomain = config.trustDomain();
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        X509Certificate cert = ctx.peerCertificate();
        if (cert == null) return FilterResult.CONTINUE;
        Attribute<Verdict> a = ctx.connectionAttr(VERDICT);
        Verdict v = a.get();
        if (v == null || !v.trustDomain().equals(trustDomain)) a.set(v = verdict(cert));
        String problem = v.problem();
        if (problem == null) {
            ctx.caller(v.caller());
            return FilterResult.CONTINUE;
        }
        log.info("request {} refused: the client certificate is not an SVID of {}: {}", ctx.requestId(), trustDomain, problem);
        return FilterResult.respond(ReplyReason.AUTH, HttpResponseStatus.FORBIDDEN, ERROR, "the client certificate is not an SVID of trust domain "
                + trustDomain + ": " + problem);
    }

    private Verdict verdict(X509Certificate cert) {
        String problem = problem(cert);
        Caller caller = null;
        if (problem == null) {
            try {
                caller = new Caller(null, null, SvidVerifier.identity(cert).uri());
            } catch (SvidException e) {
                // an SVID by the rules above always names one; the log then names no caller
            }
        }
        return new Verdict(trustDomain, problem, caller);
    }

    /** What makes {@code cert} not an SVID of the trust domain, or null when it is one. */
    String problem(X509Certificate cert) {
        return SvidRules.problem(cert, trustDomain);
    }
}
