package io.strait.mesh.issuance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strait.mesh.api.v1.CertificateServiceGrpc;
import io.strait.mesh.api.v1.CreateCertificateRequest;
import io.strait.mesh.api.v1.CreateCertificateResponse;
import io.strait.mesh.ca.CaMaterial;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.issuance.IssuanceMetrics.Reason;
import io.strait.mesh.store.MemoryStore;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.testing.InProcessGrpc;
import io.strait.mesh.testing.MutableClock;
import io.strait.mesh.testing.TestPki;
import io.strait.mesh.token.JoinTokens;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The certificate service over gRPC (in-process, with a test interceptor standing in for mTLS): a first
 * SVID for a join token, renewals for the caller's SVID, and every refusal with its status and message.
 */
class CertificateServiceTest {
    static final SpiffeId ORDERS = new SpiffeId(TestPki.TD, "shop", "orders");
    static final SpiffeId PAYMENTS = new SpiffeId(TestPki.TD, "shop", "payments");

    final MutableClock clock = new MutableClock(TestPki.NOW);
    final ListAppender<ILoggingEvent> log = new ListAppender<>();
    MemoryStore store;
    CaMaterial root;
    CertificateAuthority ca;
    JoinTokens tokens;
    CertificateService service;
    InProcessGrpc grpc;

    @BeforeEach
    void start() throws Exception {
        log.start();
        rootLogger().addAppender(log);
        store = new MemoryStore();
        root = TestPki.root(TestPki.NOW, Duration.ofDays(365));
        ca = TestPki.ca(root, CertificateAuthority.DEFAULT_SVID_TTL, clock, store);
        start(ca);
    }

    private void start(CertificateAuthority authority) throws Exception {
        start(authority, TestPki.SIGNER);
    }

    private void start(CertificateAuthority authority, java.util.concurrent.Executor checks) throws Exception {
        if (grpc != null) grpc.close();
        tokens = new JoinTokens(store, TestPki.TD, clock, new SecureRandom());
        service = new CertificateService(authority, tokens, checks);
        grpc = new InProcessGrpc(service);
    }

    @AfterEach
    void stop() throws Exception {
        grpc.close();
        rootLogger().detachAppender(log);
    }

    private static Logger rootLogger() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private String token(SpiffeId id, Duration ttl, int uses) throws Exception {
        return tokens.create(id.namespace(), id.account(), ttl, uses).get(10, TimeUnit.SECONDS).token();
    }

    private CreateCertificateResponse call(SpiffeId caller, String csrPem, String token, long validitySeconds) {
        CreateCertificateRequest.Builder r = CreateCertificateRequest.newBuilder().setCsrPem(csrPem).setValiditySeconds(validitySeconds);
        if (token != null) r.setJoinToken(token);
        return InProcessGrpc.as(CertificateServiceGrpc.newBlockingStub(grpc.channel()), caller).createCertificate(r.build());
    }

    private Status refused(SpiffeId caller, String csrPem, String token) {
        return catchThrowableOfType(StatusRuntimeException.class, () -> call(caller, csrPem, token, 0)).getStatus();
    }

    private static List<X509Certificate> certs(String pem) throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    private List<X509Certificate> chain(CreateCertificateResponse r) throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        for (String pem : r.getCertChainPemList()) out.addAll(certs(pem));
        return out;
    }

    @Test
    void aJoinTokenBuysTheFirstSvidWhoseChainVerifiesAgainstTheBundle() throws Exception {
        String token = token(ORDERS, Duration.ofHours(1), 1);
        WorkloadKey key = WorkloadKey.generate();
        CreateCertificateResponse r = call(null, key.csrPem(ORDERS), token, 0);

        assertThat(r.getSpiffeId()).isEqualTo("spiffe://cluster.local/ns/shop/sa/orders");
        List<X509Certificate> chain = chain(r);
        assertThat(chain).hasSize(1);
        assertThat(chain.get(0).getPublicKey()).isEqualTo(key.publicKey());
        assertThat(r.getNotAfterUnixSeconds()).isEqualTo(TestPki.NOW.plus(Duration.ofHours(24)).getEpochSecond());
        assertThat(chain.get(0).getNotAfter().toInstant().getEpochSecond()).isEqualTo(r.getNotAfterUnixSeconds());
        TrustBundle bundle = new TrustBundle(TestPki.TD, certs(r.getTrustBundlePem()));
        assertThat(bundle.roots()).containsExactly(root.root());
        assertThat(new SvidVerifier(clock).verify(chain, bundle)).isEqualTo(ORDERS);
        assertThat(service.metrics().issuedFirst()).isEqualTo(1);
        assertThat(service.metrics().issuedRenewal()).isZero();
    }

    @Test
    void aCsrAskingForNoNameGetsTheTokensIdentity() throws Exception {
        KeyPair kp = TestPki.ec();
        CreateCertificateResponse r = call(null, csrPem(kp, "SHA256withECDSA", null), token(ORDERS, Duration.ofHours(1), 1), 0);
        assertThat(r.getSpiffeId()).isEqualTo(ORDERS.uri());
        assertThat(SvidVerifier.identity(chain(r).get(0))).isEqualTo(ORDERS);
    }

    @Test
    void aReusedTokenIsRefused() throws Exception {
        String token = token(ORDERS, Duration.ofHours(1), 1);
        call(null, WorkloadKey.generate().csrPem(ORDERS), token, 0);
        Status s = refused(null, WorkloadKey.generate().csrPem(ORDERS), token);
        assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(s.getDescription()).isEqualTo("join token refused");
        assertThat(service.metrics().refused(Reason.TOKEN_REFUSED)).isEqualTo(1);
    }

    @Test
    void ofTwoSidecarsRacingForASingleUseTokenExactlyOneGetsACertificate() throws Exception {
        for (int round = 0; round < 10; round++) {
            String token = token(ORDERS, Duration.ofHours(1), 1);
            List<java.util.concurrent.CompletableFuture<Status.Code>> racers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String csr = WorkloadKey.generate().csrPem(ORDERS);
                racers.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        call(null, csr, token, 0);
                        return Status.Code.OK;
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode();
                    }
                }));
            }
            List<Status.Code> outcomes = new ArrayList<>();
            for (var r : racers) outcomes.add(r.get(10, TimeUnit.SECONDS));
            assertThat(outcomes).containsExactlyInAnyOrder(Status.Code.OK, Status.Code.UNAUTHENTICATED);
        }
        assertThat(service.metrics().issuedFirst()).isEqualTo(10);
    }

    @Test
    void aTokenOfSeveralUsesServesThatManyReplicas() throws Exception {
        String token = token(ORDERS, Duration.ofHours(1), 2);
        call(null, WorkloadKey.generate().csrPem(ORDERS), token, 0);
        call(null, WorkloadKey.generate().csrPem(ORDERS), token, 0);
        assertThat(refused(null, WorkloadKey.generate().csrPem(ORDERS), token).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void anExpiredUnknownOrMalformedTokenIsRefusedAlike() throws Exception {
        String token = token(ORDERS, Duration.ofMinutes(1), 1);
        clock.advance(Duration.ofMinutes(1));
        String csr = WorkloadKey.generate().csrPem(ORDERS);
        String unknown = JoinTokens.PREFIX + "A".repeat(43);
        for (String t : List.of(token, unknown, "not-a-token")) {
            Status s = refused(null, csr, t);
            assertThat(s.getCode()).as(t).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(s.getDescription()).isEqualTo("join token refused");
        }
        assertThat(service.metrics().refused(Reason.TOKEN_REFUSED)).isEqualTo(3);
    }

    @Test
    void noTokenAndNoCertificateIsUnauthenticated() {
        Status s = refused(null, WorkloadKey.generate().csrPem(ORDERS), null);
        assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(s.getDescription()).contains("needs a join token");
        assertThat(service.metrics().refused(Reason.NO_CREDENTIAL)).isEqualTo(1);
    }

    @Test
    void aCsrForAnotherIdentityIsPermissionDeniedAndSpendsTheTokenUse() throws Exception {
        String token = token(ORDERS, Duration.ofHours(1), 1);
        Status s = refused(null, WorkloadKey.generate().csrPem(PAYMENTS), token);
        assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(s.getDescription()).isEqualTo("the CSR asks for " + PAYMENTS + " but the join token proves " + ORDERS
                + "; an SVID is issued only for the proven identity");
        assertThat(service.metrics().refused(Reason.IDENTITY_MISMATCH)).isEqualTo(1);
        // documented: the requester held a token for one identity and asked for another; that use is gone
        assertThat(refused(null, WorkloadKey.generate().csrPem(ORDERS), token).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        SpiffeId otherDomain = new SpiffeId("evil.example", "shop", "orders");
        assertThat(refused(null, WorkloadKey.generate().csrPem(otherDomain), token(ORDERS, Duration.ofHours(1), 1)).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void aMalformedCsrIsInvalidAndDoesNotSpendTheToken() throws Exception {
        String token = token(ORDERS, Duration.ofHours(1), 1);
        Status s = refused(null, "hello", token);
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).startsWith("malformed CSR");
        String truncated = "-----BEGIN CERTIFICATE REQUEST-----\nMIIBAD==\n-----END CERTIFICATE REQUEST-----\n";
        assertThat(refused(null, truncated, token).getDescription()).isEqualTo("malformed CSR: not a PKCS#10 certification request");
        assertThat(refused(null, "", token).getDescription()).isEqualTo("malformed CSR: empty");
        assertThat(service.metrics().refused(Reason.BAD_CSR)).isEqualTo(3);
        assertThat(call(null, WorkloadKey.generate().csrPem(ORDERS), token, 0).getSpiffeId()).isEqualTo(ORDERS.uri());
    }

    @Test
    void aWeakKeyOrANonSpiffeNameIsInvalidAndDoesNotSpendTheToken() throws Exception {
        String token = token(ORDERS, Duration.ofHours(1), 1);
        Status weak = refused(null, csrPem(TestPki.rsa(1024), "SHA256withRSA", null), token);
        assertThat(weak.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(weak.getDescription()).isEqualTo("the CSR's RSA key has 1024 bits; at least 2048 are required");
        Status dns = refused(null, csrPem(TestPki.ec(), "SHA256withECDSA", new GeneralName(GeneralName.dNSName, "orders.shop")), token);
        assertThat(dns.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(dns.getDescription()).contains("a name other than a SPIFFE ID");
        Status notSpiffe = refused(null, csrPem(TestPki.ec(), "SHA256withECDSA",
                new GeneralName(GeneralName.uniformResourceIdentifier, "https://orders.shop")), token);
        assertThat(notSpiffe.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(notSpiffe.getDescription()).startsWith("the CSR asks for a URI that is not a mesh SPIFFE ID");
        assertThat(call(null, WorkloadKey.generate().csrPem(ORDERS), token, 0).getSpiffeId()).isEqualTo(ORDERS.uri());
    }

    @Test
    void aRenewalIsAuthenticatedByTheCallersSvid() throws Exception {
        CreateCertificateResponse r = call(ORDERS, WorkloadKey.generate().csrPem(ORDERS), null, 0);
        assertThat(new SvidVerifier(clock).verify(chain(r), new TrustBundle(TestPki.TD, certs(r.getTrustBundlePem())))).isEqualTo(ORDERS);
        assertThat(service.metrics().issuedRenewal()).isEqualTo(1);

        Status other = refused(ORDERS, WorkloadKey.generate().csrPem(PAYMENTS), null);
        assertThat(other.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(other.getDescription()).contains("the client certificate proves " + ORDERS);

        Status foreign = refused(new SpiffeId("other.example", "shop", "orders"), WorkloadKey.generate().csrPem(ORDERS), null);
        assertThat(foreign.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(service.metrics().refused(Reason.FOREIGN_TRUST_DOMAIN)).isEqualTo(1);
    }

    @Test
    void aTokenAlongsideAClientCertificateIsRefusedAndNotSpent() throws Exception {
        String token = token(ORDERS, Duration.ofHours(1), 1);
        Status s = refused(ORDERS, WorkloadKey.generate().csrPem(ORDERS), token);
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).isEqualTo("a renewal is authenticated by the client certificate alone; send no join token with it");
        assertThat(service.metrics().refused(Reason.AMBIGUOUS_CREDENTIALS)).isEqualTo(1);
        assertThat(call(null, WorkloadKey.generate().csrPem(ORDERS), token, 0).getSpiffeId()).isEqualTo(ORDERS.uri());
    }

    @Test
    void theValidityIsTheDefaultCappedOrRaised() {
        long now = TestPki.NOW.getEpochSecond();
        assertThat(call(ORDERS, WorkloadKey.generate().csrPem(ORDERS), null, 0).getNotAfterUnixSeconds()).isEqualTo(now + 24 * 3600);
        assertThat(call(ORDERS, WorkloadKey.generate().csrPem(ORDERS), null, 3600).getNotAfterUnixSeconds()).isEqualTo(now + 3600);
        assertThat(call(ORDERS, WorkloadKey.generate().csrPem(ORDERS), null, 90 * 24 * 3600L).getNotAfterUnixSeconds()).isEqualTo(now + 24 * 3600);
        assertThat(call(ORDERS, WorkloadKey.generate().csrPem(ORDERS), null, Long.MAX_VALUE).getNotAfterUnixSeconds()).isEqualTo(now + 24 * 3600);
        assertThat(call(ORDERS, WorkloadKey.generate().csrPem(ORDERS), null, 3).getNotAfterUnixSeconds()).isEqualTo(now + 10);
        Status negative = catchThrowableOfType(StatusRuntimeException.class,
                () -> call(ORDERS, WorkloadKey.generate().csrPem(ORDERS), null, -5)).getStatus();
        assertThat(negative.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(negative.getDescription()).isEqualTo("validity_seconds must not be negative (was -5); 0 asks for the default of 24h");
        assertThat(service.metrics().refused(Reason.BAD_VALIDITY)).isEqualTo(1);
    }

    @Test
    void anIntermediateCaSendsTheChainLeafFirstAndTheBundleHoldsEveryRoot() throws Exception {
        KeyPair ik = TestPki.ec();
        X509Certificate inter = TestPki.intermediate("CN=mesh intermediate", ik.getPublic(), root.root(), root.key(), TestPki.NOW);
        CaMaterial material = new CaMaterial(inter, ik.getPrivate(), List.of(), root.root());
        CaMaterial oldRoot = TestPki.root(TestPki.NOW, Duration.ofDays(30));
        TrustBundle bundle = TrustBundle.of(TestPki.TD, root.root()).withRoot(oldRoot.root());
        start(new CertificateAuthority(material, bundle, Duration.ofHours(12), store, clock, new SecureRandom(), TestPki.SIGNER));

        CreateCertificateResponse r = call(null, WorkloadKey.generate().csrPem(ORDERS), token(ORDERS, Duration.ofHours(1), 1), 0);
        List<X509Certificate> chain = chain(r);
        assertThat(r.getCertChainPemCount()).isEqualTo(2);
        assertThat(chain.get(1)).isEqualTo(inter);
        assertThat(SvidVerifier.identity(chain.get(0))).isEqualTo(ORDERS);
        assertThat(certs(r.getTrustBundlePem())).containsExactly(root.root(), oldRoot.root());
        assertThat(new SvidVerifier(clock).verify(chain, new TrustBundle(TestPki.TD, certs(r.getTrustBundlePem())))).isEqualTo(ORDERS);
        assertThat(r.getNotAfterUnixSeconds()).isEqualTo(TestPki.NOW.plus(Duration.ofHours(12)).getEpochSecond());
    }

    @Test
    void csrChecksRunOnTheGivenExecutorNotTheGrpcThread() throws Exception {
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        start(ca, task -> TestPki.SIGNER.execute(() -> {
            threads.add(Thread.currentThread().getName());
            task.run();
        }));
        call(ORDERS, WorkloadKey.generate().csrPem(ORDERS), null, 0);
        assertThat(threads).hasSize(1);
        assertThat(threads.get(0)).startsWith("pool-");
    }

    @Test
    void theTokenNeverAppearsInLogsOrStatuses() throws Exception {
        String token = token(ORDERS, Duration.ofHours(1), 1);
        List<Status> statuses = new ArrayList<>();
        statuses.add(refused(null, "garbage", token));
        statuses.add(refused(ORDERS, WorkloadKey.generate().csrPem(ORDERS), token));
        statuses.add(refused(null, WorkloadKey.generate().csrPem(PAYMENTS), token));
        statuses.add(refused(null, WorkloadKey.generate().csrPem(ORDERS), token));
        assertThat(statuses).extracting(Status::getCode).containsExactly(Status.Code.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT,
                Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED);
        String secret = token.substring(JoinTokens.PREFIX.length());
        for (Status s : statuses) assertThat(s.getDescription()).doesNotContain(secret);
        assertThat(log.list).isNotEmpty();
        for (ILoggingEvent e : log.list) {
            assertThat(e.getFormattedMessage()).doesNotContain(secret);
            if (e.getThrowableProxy() != null) assertThat(e.getThrowableProxy().getMessage()).doesNotContain(secret);
        }
        assertThat(log.list).anyMatch(e -> e.getFormattedMessage().contains("certificate for a join-token caller refused (IDENTITY_MISMATCH)"));
    }

    /** A CSR made by hand: any key, any signature algorithm, and the given subjectAltName (or none). */
    static String csrPem(KeyPair kp, String alg, GeneralName san) throws Exception {
        var b = new JcaPKCS10CertificationRequestBuilder(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), kp.getPublic());
        if (san != null) {
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
            b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
        }
        try (StringWriter out = new StringWriter(); JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(b.build(new JcaContentSignerBuilder(alg).build(kp.getPrivate())));
            w.flush();
            return out.toString();
        }
    }
}
