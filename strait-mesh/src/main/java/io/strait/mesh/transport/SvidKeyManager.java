package io.strait.mesh.transport;

import io.strait.mesh.identity.Svid;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the current SVID in each handshake. TLS asks for an alias first and for the key and chain by
 * that alias afterwards; the alias names the SVID object chosen, so a rotation between the two calls
 * cannot pair one SVID's key with another's chain. With no SVID (a sidecar before its first
 * certificate) no alias is chosen and no certificate is sent.
 */
final class SvidKeyManager extends X509ExtendedKeyManager {
    private final Supplier<Svid> current;
    /** An SVID under the alias it was handed out with. */
    private record Named(String alias, Svid svid) {}
    /** The SVID the last alias named, and the one before it (a handshake may still be using it). */
    private volatile Named last;
    private volatile Named previous;
    private final AtomicLong generation = new AtomicLong();

    SvidKeyManager(Supplier<Svid> current) {
        this.current = current;
    }

    private synchronized String alias() {
        Svid s = current.get();
        if (s == null) return null;
        Named l = last;
        if (l == null || l.svid() != s) {
            previous = l;
            last = l = new Named("svid-" + generation.incrementAndGet(), s);
        }
        return l.alias();
    }

    private Svid byAlias(String alias) {
        Named l = last;
        if (l != null && l.alias().equals(alias)) return l.svid();
        Named p = previous;
        return p != null && p.alias().equals(alias) ? p.svid() : null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return alias();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        Svid s = current.get();
        return s != null && s.privateKey().getAlgorithm().equals(keyAlgorithm(keyType)) ? alias() : null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return alias();
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return chooseEngineServerAlias(keyType, issuers, null);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Svid s = byAlias(alias);
        return s == null ? null : s.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Svid s = byAlias(alias);
        return s == null ? null : s.privateKey();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String a = alias();
        return a == null ? null : new String[] {a};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    /** TLS names EC keys "EC" (and, in TLS 1.2, "EC_EC"/"ECDHE_ECDSA"); RSA ones "RSA". */
    private static String keyAlgorithm(String keyType) {
        return keyType.contains("EC") ? "EC" : keyType.startsWith("RSA") ? "RSA" : keyType;
    }
}
