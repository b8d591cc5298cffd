package io.strait.proxy.tls;

/**
 * Where a listener or a cluster takes its certificate, key and trust bundle from: watched files
 * ({@link FileCertificateSource}, what the config file names) or material set by code ({@link
 * InMemoryCertificateSource}, what the control plane pushes). A change is taken up at once: new
 * handshakes use the new material, open connections keep their session.
 */
public interface CertificateSource {
    /** The material now; never null. */
    CertificateMaterial current();

    /**
     * Calls {@code listener} after every change, on the thread that made the change (never an event loop:
     * contexts are rebuilt there). Closing the returned handle stops the calls.
     */
    AutoCloseable subscribe(Runnable listener);

    /** What this source is, for logs and errors (file paths, "set by code"); never key material. */
    String describe();

    /** A further check of peers' certificates during handshakes, or null (the default): the trust bundle alone. */
    default PeerCertificateCheck peerCheck() {
        return null;
    }
}
