package io.strait.proxy.tls;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import io.strait.config.tls.Pem;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * The verified client certificate of a TLS connection, and its {@code X-Forwarded-Client-Cert} value in
 * Envoy's format: {@code Hash=<sha256 of the DER, hex>;Subject="<RFC 2253>";URI=<first URI SAN>;DNS=<first DNS SAN>}
 * (URI and DNS only when the certificate has them).
 */
public record ClientCertificate(X509Certificate certificate, String xfcc) {
    public static final AsciiString X_FORWARDED_CLIENT_CERT = AsciiString.cached("x-forwarded-client-cert");
    /** Looked up once per connection, kept on the connection's channel (HTTP/2 streams share it). */
    private static final AttributeKey<ClientCertificate> KEY = AttributeKey.valueOf("strait.clientCertificate");
    private static final ClientCertificate NONE = new ClientCertificate(null, null);

    /**
     * The client certificate of {@code ch}'s connection ({@code ch} may be an HTTP/2 stream), or null when the
     * connection is plain or the client sent none. The TLS handshake has already verified it against the CA.
     */
    public static ClientCertificate of(Channel ch) {
        Channel conn = connection(ch);
        ClientCertificate c = conn.attr(KEY).get();
        if (c == null) {
            c = lookup(conn);
            conn.attr(KEY).set(c);
        }
        return c == NONE ? null : c;
    }

    /** The connection {@code ch} belongs to: its parent for an HTTP/2 stream, else itself. */
    public static Channel connection(Channel ch) {
        return ch instanceof Http2StreamChannel && ch.parent() != null ? ch.parent() : ch;
    }

    private static ClientCertificate lookup(Channel conn) {
        SslHandler ssl = conn.pipeline().get(SslHandler.class);
        if (ssl == null) return NONE;
        SSLSession session = ssl.engine().getSession();
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) return NONE;
            return new ClientCertificate(leaf, xfcc(leaf));
        } catch (SSLPeerUnverifiedException none) {
            return NONE;
        }
    }

    /** Removes whatever the client sent as X-Forwarded-Client-Cert, then sets ours when there is a certificate. */
    public static void apply(HttpHeaders headers, ClientCertificate cert) {
        headers.remove(X_FORWARDED_CLIENT_CERT);
        if (cert != null) headers.set(X_FORWARDED_CLIENT_CERT, cert.xfcc());
    }

    static String xfcc(X509Certificate cert) {
        StringBuilder sb = new StringBuilder("Hash=").append(sha256(cert));
        sb.append(";Subject=\"").append(escape(cert.getSubjectX500Principal().getName(X500Principal.RFC2253))).append('"');
        List<String> uris = Pem.uris(cert);
        if (!uris.isEmpty()) sb.append(";URI=").append(uris.get(0));
        List<String> dns = Pem.dnsNames(cert);
        if (!dns.isEmpty()) sb.append(";DNS=").append(dns.get(0));
        return sb.toString();
    }

    private static String sha256(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Inside the quoted Subject, a quote or backslash is escaped with a backslash (as Envoy does). */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
