package io.strait.mesh.xfcc;

import io.netty.util.AsciiString;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
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
    /** The header value of a connection's certificate, made once per connection (its certificate never changes). */
    private static final AttributeKey<Cached> VALUE = AttributeKey.valueOf("strait.mesh.xfcc");

    /** A value and the {@code By} it was made with (a later config may name this sidecar otherwise). */
    private record Cached(String by, String value) {}

    public XfccFilter(XfccConfig config) {
        this.by = config.by();
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        ctx.headers().remove(XFCC);
        X509Certificate peer = ctx.peerCertificate();
        if (peer != null) ctx.headers().set(XFCC, value(ctx, peer));
        return FilterResult.CONTINUE;
    }

    private String value(RequestContext ctx, X509Certificate peer) {
        Attribute<Cached> a = ctx.connectionAttr(VALUE);
        Cached c = a.get();
        if (c == null || !c.by().equals(by)) a.set(c = new Cached(by, XfccValue.of(by, peer)));
        return c.value();
    }
}
