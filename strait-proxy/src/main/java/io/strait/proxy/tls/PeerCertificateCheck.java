package io.strait.proxy.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * A further check of a peer's certificate chain during the TLS handshake, after the chain was verified
 * against the trust bundle (a service mesh's SVID rules: exactly one URI SAN, of the mesh's trust domain).
 * Given by a {@link CertificateSource} set by code; a listener applies it to client certificates, a cluster to
 * server certificates. Throwing fails the handshake, and the message says why (in the upstream's 502).
 * Called on an event loop: CPU work only.
 */
@FunctionalInterface
public interface PeerCertificateCheck {
    /** Accepts {@code chain} (leaf first, already verified) or throws saying what is wrong with it. */
    void check(X509Certificate[] chain) throws CertificateException;
}
