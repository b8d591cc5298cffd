package io.strait.mesh.ca;

import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.store.ControlPlaneStore;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's certificate authority: signs X.509 SVIDs from PKCS#10 CSRs as the SPIFFE X509-SVID
 * standard says. The certificate has an empty subject and one critical URI SAN, the authenticated
 * identity (set by the CA, never taken from the CSR: see {@link CsrCheck}); {@code cA=false}; critical
 * key usage {@code digitalSignature} only (no {@code keyEncipherment}, even for RSA keys: the mesh speaks
 * TLS 1.3 or ECDHE suites, never RSA key transport); extended key usage serverAuth and clientAuth;
 * a random 128-bit serial; {@code notBefore} backdated by {@link #NOT_BEFORE_SKEW}; a lifetime of
 * {@code svidTtl}, cut to the signing certificate's own expiry. Each serial is recorded in the store
 * ({@code serials/<hex>}), which also refuses a repeated one.
 * <p>Signing is CPU work of a millisecond or so: {@link #issue} runs it on the executor given at
 * construction, never on the caller's thread, so an event loop may call it.
 */
public final class CertificateAuthority {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateAuthority.class);
    /** SPIFFE's default, and Istio's: a stolen SVID is worth a day at most. */
    public static final Duration DEFAULT_SVID_TTL = Duration.ofHours(24);
    /**
     * The shortest lifetime, for tests and demos of rotation (a renewal every ~5 s): below it a renewal's round trip and
     * the clocks' differences become a real part of the lifetime. Lifetimes under {@link #SHORT_SVID_TTL} are warned about.
     */
    public static final Duration MIN_SVID_TTL = Duration.ofSeconds(10);
    /**
     * Below this, the config is accepted with a warning: every renewal is a CSR signature (and a renewal every few minutes
     * per workload makes the CA a hot path), and the control plane has only half the lifetime to come back from a restart.
     */
    public static final Duration SHORT_SVID_TTL = Duration.ofMinutes(5);
    /** An SVID is a short-lived credential; a month already stretches the point. */
    public static final Duration MAX_SVID_TTL = Duration.ofDays(30);
    /** {@code notBefore} is this far in the past, so that a peer whose clock is behind (NTP keeps hosts within seconds) accepts a fresh SVID. */
    public static final Duration NOT_BEFORE_SKEW = Duration.ofMinutes(1);
    /** CA certificates (roots included) closer to expiry than this are warned about, and {@link #expiryWarnings} lists them. */
    public static final Duration CA_EXPIRY_WARNING = Duration.ofDays(30);
    /** Serial numbers carry this many random bytes (128 bits; RFC 5280 allows up to 20 octets; the CA/B Forum asks for 64 bits at least). */
    public static final int SERIAL_BYTES = 16;

    private final ControlPlaneStore store;
    private final Clock clock;
    private final SecureRandom random;
    private final Executor signer;
    private final Duration svidTtl;
    private final ConcurrentHashMap<String, Instant> issued = new ConcurrentHashMap<>();
    private final AtomicLong issuedTotal = new AtomicLong();
    private volatile State state;

    private record State(CaMaterial material, TrustBundle bundle) {}

    /**
     * @param signer where signing runs (a small pool of platform threads: it is CPU work)
     */
    public CertificateAuthority(CaMaterial material, TrustBundle bundle, Duration svidTtl, ControlPlaneStore store,
            Clock clock, SecureRandom random, Executor signer) {
        String bad = checkTtl(svidTtl);
        if (bad != null) throw new IllegalArgumentException(bad);
        this.svidTtl = svidTtl;
        this.store = store;
        this.clock = clock;
        this.random = random;
        this.signer = signer;
        use(material, bundle);
    }

    /** Null when {@code ttl} is an acceptable SVID lifetime, else why not. */
    public static String checkTtl(Duration ttl) {
        if (ttl == null || ttl.compareTo(MIN_SVID_TTL) < 0 || ttl.compareTo(MAX_SVID_TTL) > 0) {
            return "must be between " + human(MIN_SVID_TTL) + " and " + MAX_SVID_TTL.toDays() + "d (was " + human(ttl) + ")";
        }
        return null;
    }

    /** Null when {@code ttl} (acceptable by {@link #checkTtl}) is not short, else the warning to give about it. */
    public static String shortTtlWarning(Duration ttl) {
        if (ttl == null || ttl.compareTo(SHORT_SVID_TTL) >= 0) return null;
        return "is " + human(ttl) + ", under " + human(SHORT_SVID_TTL) + ": short lifetimes are for tests and demos: every renewal is a CSR signature,"
                + " and the control plane has only half the lifetime (" + human(ttl.dividedBy(2)) + ") to come back from a restart";
    }

    /** Switches to new material and bundle (a root rotation step); SVIDs issued from now on use them. */
    public void use(CaMaterial material, TrustBundle bundle) {
        if (!bundle.roots().contains(material.root())) throw new IllegalArgumentException("the trust bundle must hold the CA's own root");
        this.state = new State(material, bundle);
    }

    public TrustBundle bundle() {
        return state.bundle();
    }

    public Duration svidTtl() {
        return svidTtl;
    }

    /** Signs an SVID for {@code identity} (already authenticated by a join token or the current SVID) off the caller's thread. */
    public CompletableFuture<IssuedSvid> issue(byte[] csr, SpiffeId identity) {
        return issue(csr, identity, svidTtl);
    }

    /**
     * As {@link #issue(byte[], SpiffeId)}, with a lifetime of {@code ttl} instead of the configured one
     * (the caller keeps it within {@link #checkTtl} and, by policy, at most {@link #svidTtl()}).
     */
    public CompletableFuture<IssuedSvid> issue(byte[] csr, SpiffeId identity, Duration ttl) {
        String bad = checkTtl(ttl);
        if (bad != null) return CompletableFuture.failedFuture(new IllegalArgumentException("the SVID lifetime " + bad));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return sign(csr, identity, ttl);
            } catch (CsrRejectedException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, signer).thenCompose(svid -> store.compareAndSet("serials/" + svid.serial().toString(16), ControlPlaneStore.ABSENT,
                ("{\"spiffeId\":\"" + svid.id().uri() + "\",\"notAfter\":\"" + svid.notAfter() + "\"}").getBytes(StandardCharsets.UTF_8))
                .thenApply(fresh -> {
                    if (!fresh) throw new IllegalStateException("serial " + svid.serial().toString(16) + " was issued before; retry");
                    issued.merge(svid.id().uri(), svid.notAfter(), (a, b) -> a.isAfter(b) ? a : b);
                    issuedTotal.incrementAndGet();
                    LOG.info("issued SVID {} serial {} until {}", svid.id(), svid.serial().toString(16), svid.notAfter());
                    return svid;
                }));
    }

    /** The signing itself: blocking CPU work; call {@link #issue} instead unless already off the event loop. */
    public IssuedSvid sign(byte[] csr, SpiffeId identity) throws CsrRejectedException {
        return sign(csr, identity, svidTtl);
    }

    /** The signing itself with a lifetime of {@code ttl}: blocking CPU work. */
    public IssuedSvid sign(byte[] csr, SpiffeId identity, Duration ttl) throws CsrRejectedException {
        State s = state;
        if (!identity.trustDomain().equals(s.bundle().trustDomain())) {
            throw new CsrRejectedException("the identity " + identity + " is not of this CA's trust domain " + s.bundle().trustDomain());
        }
        PublicKey key = CsrCheck.check(csr, identity);
        X509Certificate ca = s.material().certificate();
        Instant now = clock.instant();
        Instant notBefore = now.minus(NOT_BEFORE_SKEW);
        Instant notAfter = now.plus(ttl);
        Instant caEnd = ca.getNotAfter().toInstant();
        if (!now.isBefore(caEnd)) throw new IllegalStateException("the CA certificate expired at " + caEnd);
        if (notAfter.isAfter(caEnd)) {
            LOG.warn("SVID for {} cut to the CA certificate's expiry {}: rotate the CA", identity, caEnd);
            notAfter = caEnd;
        }
        BigInteger serial = new BigInteger(1, randomSerialBytes(random));
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial, java.util.Date.from(notBefore),
                    java.util.Date.from(notAfter), new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), key);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            // critical: the subject is empty, so the SAN is the certificate's only name (RFC 5280 4.2.1.6)
            b.addExtension(Extension.subjectAlternativeName, true,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri())));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            PrivateKey caKey = s.material().key();
            X509Certificate leaf = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder(signatureAlgorithm(caKey)).build(caKey)));
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(leaf);
            chain.addAll(s.material().chainAboveLeaf());
            return new IssuedSvid(identity, chain, serial, notBefore, notAfter);
        } catch (Exception e) {
            throw new IllegalStateException("signing the SVID for " + identity + " failed: " + e.getMessage(), e);
        }
    }

    /** The CA's certificates and issued SVIDs with their expiries, for metrics. */
    public CaStatus status() {
        State s = state;
        Instant now = clock.instant();
        issued.values().removeIf(end -> !end.isAfter(now));
        List<CaStatus.CertExpiry> certs = new ArrayList<>();
        X509Certificate signing = s.material().certificate();
        certs.add(expiry(signing.equals(s.material().root()) ? "signing-root" : "signing", signing));
        for (X509Certificate c : s.material().intermediates()) certs.add(expiry("intermediate", c));
        for (X509Certificate r : s.bundle().roots()) if (!r.equals(signing)) certs.add(expiry("root", r));
        return new CaStatus(s.bundle().trustDomain(), List.copyOf(certs), Map.copyOf(new TreeMap<>(issued)), issuedTotal.get());
    }

    /**
     * The CA certificates that expire within {@link #CA_EXPIRY_WARNING}, each logged at WARN; the
     * control plane calls it at start and daily.
     */
    public List<String> expiryWarnings() {
        Instant now = clock.instant();
        List<String> out = new ArrayList<>();
        for (CaStatus.CertExpiry c : status().certificates()) {
            if (c.notAfter().isAfter(now.plus(CA_EXPIRY_WARNING))) continue;
            String msg = c.notAfter().isAfter(now)
                    ? "the mesh CA's " + c.role() + " certificate " + c.subject() + " expires " + c.notAfter() + " (in "
                            + Duration.between(now, c.notAfter()).toDays() + " days): rotate it"
                    : "the mesh CA's " + c.role() + " certificate " + c.subject() + " expired " + c.notAfter();
            LOG.warn(msg);
            out.add(msg);
        }
        return out;
    }

    private static CaStatus.CertExpiry expiry(String role, X509Certificate c) {
        return new CaStatus.CertExpiry(role, c.getSubjectX500Principal().getName(), c.getSerialNumber().toString(16), c.getNotAfter().toInstant());
    }

    /** {@code 90s}, {@code 5m}, {@code 24h}, {@code 2d}: a duration as the config writes it. */
    public static String human(Duration d) {
        if (d == null) return "none";
        long s = d.toSeconds();
        if (s > 86400 && s % 86400 == 0) return s / 86400 + "d"; // 24h stays 24h, as the docs write it
        if (s != 0 && s % 3600 == 0) return s / 3600 + "h";
        if (s != 0 && s % 60 == 0) return s / 60 + "m";
        return d.toMillis() % 1000 == 0 ? s + "s" : d.toMillis() + "ms";
    }

    static byte[] randomSerialBytes(SecureRandom random) {
        byte[] b = new byte[SERIAL_BYTES];
        do random.nextBytes(b);
        while (new BigInteger(1, b).signum() == 0);
        return b;
    }

    static String signatureAlgorithm(PrivateKey key) {
        if (key instanceof ECPrivateKey ec) return ec.getParams().getCurve().getField().getFieldSize() > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        return "SHA256withRSA";
    }
}
