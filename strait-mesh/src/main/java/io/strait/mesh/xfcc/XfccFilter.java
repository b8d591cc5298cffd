package io.strait.mesh.xfcc;

import io.netty.util.AsciiString;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import java.security.cert.X509Certificate;

/**
 * Sets {@code X-Forwarded-Client-Cert} for the local app: whatever the client sent is always removed (a caller
 * must never be able to claim an identity), and when the caller presented a certificate the listener verified,
 * the header carries it in Envoy's format ({@code By=<own ID>;Hash=<sha256>;URI=<caller's SPIFFE ID>}).
 */
public final class XfccFilter implements HttpFilter {
    static final AsciiString XFCC = AsciiString.cached("x-forwarded-client-cert");

    private final String by;
    /** The last certificate and its header value: a connection's requests share one certificate. */
    private volatile Cached last = new Cached(null, null);

    private record Cached(X509Certificate cert, String value) {}

    public XfccFilter(XfccConfig config) {
        this.by = config.by();
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        ctx.headers().remove(XFCC);
        X509Certificate peer = ctx.peerCertificate();
        if (peer != null) ctx.headers().set(XFCC, value(peer));
        return FilterResult.CONTINUE;
    }

    private String value(X509Certificate peer) {
        Cached c = last;
        if (c.cert() == peer) return c.value();
        String v = XfccValue.of(by, peer);
        last = new Cached(peer, v);
        return v;
    }
}
