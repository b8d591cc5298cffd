package io.strait.mesh.transport;

import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidException;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.mesh.identity.TrustBundle;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts a peer only with a valid X509-SVID under the current trust bundle ({@link SvidVerifier}: the
 * chain leads to one of its roots at the clock's time, exactly one URI SAN, a SPIFFE ID of the trust
 * domain), and whose identity {@code expected} accepts. Host names play no part: in the mesh the SPIFFE
 * ID is the name that is checked.
 */
final class SvidTrustManager extends X509ExtendedTrustManager {
    private final SvidVerifier verifier;
    private final Supplier<TrustBundle> bundle;
    private final Predicate<SpiffeId> expected;
    private final String expectation;

    SvidTrustManager(SvidVerifier verifier, Supplier<TrustBundle> bundle, Predicate<SpiffeId> expected, String expectation) {
        this.verifier = verifier;
        this.bundle = bundle;
        this.expected = expected;
        this.expectation = expectation;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        SpiffeId id;
        try {
            id = verifier.verify(chain == null ? null : Arrays.asList(chain), bundle.get());
        } catch (SvidException e) {
            throw new CertificateException(e.getMessage(), e);
        }
        if (!expected.test(id)) throw new CertificateException("the peer is " + id + ", expected " + expectation);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    /** The roots of the moment, as the CAs a client certificate may come from. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return bundle.get().roots().toArray(X509Certificate[]::new);
    }
}
