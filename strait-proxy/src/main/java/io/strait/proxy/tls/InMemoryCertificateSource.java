package io.strait.proxy.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Certificates set by code, as a control plane pushes them (a renewed SVID, a new trust bundle).
 * {@link #set} swaps the material and, before it returns, every listener or cluster using this source
 * has rebuilt its TLS contexts: the next handshake uses the new material. Call it from a thread of
 * your own, never an event loop.
 */
public final class InMemoryCertificateSource implements CertificateSource {
    private final String name;
    private final PeerCertificateCheck peerCheck;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile CertificateMaterial current;

    /** A source named {@code name} (shown in logs) holding {@code initial}. */
    public InMemoryCertificateSource(String name, CertificateMaterial initial) {
        this(name, initial, null);
    }

    /** As {@link #InMemoryCertificateSource(String, CertificateMaterial)}, with a further check of peers' certificates. */
    public InMemoryCertificateSource(String name, CertificateMaterial initial, PeerCertificateCheck peerCheck) {
        this.name = name;
        this.current = initial == null ? CertificateMaterial.EMPTY : initial;
        this.peerCheck = peerCheck;
    }

    @Override
    public PeerCertificateCheck peerCheck() {
        return peerCheck;
    }

    /**
     * Replaces the material: a chain (leaf first) and its key, and a trust bundle, any of them empty or null.
     *
     * @throws IllegalArgumentException when the key is not the chain's (the old material stays)
     */
    public void set(List<X509Certificate> chain, PrivateKey privateKey, List<X509Certificate> trustBundle) {
        set(new CertificateMaterial(chain, privateKey, trustBundle));
    }

    public void set(CertificateMaterial material) {
        current = material;
        for (Runnable l : listeners) l.run();
    }

    @Override
    public CertificateMaterial current() {
        return current;
    }

    @Override
    public AutoCloseable subscribe(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public String describe() {
        return "certificate source '" + name + "' (set by code)";
    }
}
