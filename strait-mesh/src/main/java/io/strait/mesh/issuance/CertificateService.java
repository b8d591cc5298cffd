package io.strait.mesh.issuance;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.strait.mesh.api.Callers;
import io.strait.mesh.api.v1.CertificateServiceGrpc;
import io.strait.mesh.api.v1.CreateCertificateRequest;
import io.strait.mesh.api.v1.CreateCertificateResponse;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.ca.CsrRejectedException;
import io.strait.mesh.ca.IssuedSvid;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.token.JoinTokens;
import io.strait.mesh.token.TokenRefusedException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code CertificateService.CreateCertificate}: signs a sidecar's CSR for the identity it proves.
 * <ul>
 * <li>First certificate: no client certificate ({@link Callers#CALLER} is null) and a join token; the
 * token is redeemed (one use counted) and the identity is the token's. A wrong, expired or used-up
 * token is {@code UNAUTHENTICATED "join token refused"}, whatever the reason (the log says which).
 * <li>Renewal: a verified client SVID; the identity is that SVID's. A join token sent alongside is
 * refused ({@code INVALID_ARGUMENT}): a request proves one identity, never two, and the token is not
 * spent.
 * <li>The CSR is checked before the token is redeemed, so a malformed CSR or a weak key
 * ({@code INVALID_ARGUMENT}) never uses up a single-use token. A CSR asking for another identity than
 * the proven one is {@code PERMISSION_DENIED}; with a token, that token use is spent (the requester
 * holds a token for one identity and asks for another: a confused or hostile requester).
 * <li>{@code validity_seconds}: see {@link SvidLifetime} (0: the CA's lifetime; more: capped to it;
 * under {@code CertificateAuthority.MIN_SVID_TTL} (10 s): raised to it; negative: refused).
 * </ul>
 * The token never appears in a status, a log line or an exception message: the request is never
 * logged, and {@link JoinTokens} names a token by its hash's first digits. CSR checks and signing run
 * on the given executor and the CA's signer, never on the gRPC thread.
 */
public final class CertificateService extends CertificateServiceGrpc.CertificateServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateService.class);
    /** What a caller sees when the control plane itself failed; the log has the cause. */
    static final String INTERNAL_MESSAGE = "the certificate could not be issued (a control-plane error; see its log)";

    private final CertificateAuthority ca;
    private final JoinTokens tokens;
    private final Executor checks;
    private final IssuanceMetrics metrics = new IssuanceMetrics();

    /**
     * @param checks where CSR checks run (CPU work: the CA's signer pool suits)
     */
    public CertificateService(CertificateAuthority ca, JoinTokens tokens, Executor checks) {
        this.ca = ca;
        this.tokens = tokens;
        this.checks = checks;
    }

    public IssuanceMetrics metrics() {
        return metrics;
    }

    @Override
    public void createCertificate(CreateCertificateRequest request, StreamObserver<CreateCertificateResponse> out) {
        SpiffeId caller = Callers.CALLER.get(); // read here: the gRPC context is attached to this thread only
        create(request, caller).whenComplete((response, error) -> {
            try {
                if (error == null) {
                    out.onNext(response);
                    out.onCompleted();
                } else {
                    out.onError(status(error).asRuntimeException());
                }
            } catch (RuntimeException e) { // the call was cancelled meanwhile
                LOG.debug("certificate response not delivered: {}", e.toString());
            }
        });
    }

    /**
     * The request's answer for {@code caller} (null: no client certificate), without gRPC; fails with a
     * {@link Refusal} (mapped to its status) or, for the control plane's own trouble, another exception.
     */
    CompletableFuture<CreateCertificateResponse> create(CreateCertificateRequest request, SpiffeId caller) {
        CompletableFuture<CreateCertificateResponse> result;
        try {
            result = start(request, caller);
        } catch (Refusal | RuntimeException e) { // RuntimeException: an executor that refuses work, at shutdown
            result = CompletableFuture.failedFuture(e);
        }
        boolean renewal = caller != null;
        return result.whenComplete((response, error) -> count(response, error, renewal, caller));
    }

    private CompletableFuture<CreateCertificateResponse> start(CreateCertificateRequest request, SpiffeId caller) throws Refusal {
        String token = request.getJoinToken();
        String trustDomain = ca.bundle().trustDomain();
        if (caller != null && !token.isEmpty()) {
            throw new Refusal(Status.Code.INVALID_ARGUMENT, IssuanceMetrics.Reason.AMBIGUOUS_CREDENTIALS,
                    "a renewal is authenticated by the client certificate alone; send no join token with it");
        }
        if (caller == null && token.isEmpty()) {
            throw new Refusal(Status.Code.UNAUTHENTICATED, IssuanceMetrics.Reason.NO_CREDENTIAL,
                    "no client certificate and no join token: the first certificate needs a join token, a renewal the current SVID");
        }
        if (caller != null && !caller.trustDomain().equals(trustDomain)) {
            throw new Refusal(Status.Code.PERMISSION_DENIED, IssuanceMetrics.Reason.FOREIGN_TRUST_DOMAIN,
                    "the client certificate's identity " + caller + " is not of this control plane's trust domain " + trustDomain);
        }
        Duration ttl = SvidLifetime.resolve(request.getValiditySeconds(), ca.svidTtl());
        byte[] csr = request.getCsrPem().getBytes(StandardCharsets.US_ASCII);
        CompletableFuture<Optional<SpiffeId>> checked = CompletableFuture.supplyAsync(() -> {
            try {
                return CsrPrecheck.check(csr, trustDomain);
            } catch (Refusal r) {
                throw new java.util.concurrent.CompletionException(r);
            }
        }, checks);
        if (caller != null) return checked.thenCompose(asked -> sign(csr, asked, caller, "the client certificate", ttl));
        return checked.thenCompose(asked -> redeem(token).thenCompose(id -> sign(csr, asked, id, "the join token", ttl)));
    }

    private CompletableFuture<SpiffeId> redeem(String token) {
        return tokens.redeem(token).exceptionallyCompose(e -> CompletableFuture.failedFuture(JoinTokens.isRefusal(e)
                ? new Refusal(Status.Code.UNAUTHENTICATED, IssuanceMetrics.Reason.TOKEN_REFUSED, TokenRefusedException.MESSAGE)
                : JoinTokens.cause(e)));
    }

    private CompletableFuture<CreateCertificateResponse> sign(byte[] csr, Optional<SpiffeId> asked, SpiffeId proven, String proof, Duration ttl) {
        if (asked.isPresent() && !asked.get().equals(proven)) {
            return CompletableFuture.failedFuture(new Refusal(Status.Code.PERMISSION_DENIED, IssuanceMetrics.Reason.IDENTITY_MISMATCH,
                    "the CSR asks for " + asked.get() + " but " + proof + " proves " + proven + "; an SVID is issued only for the proven identity"));
        }
        return ca.issue(csr, proven, ttl).exceptionallyCompose(e -> {
            Throwable c = JoinTokens.cause(e);
            return CompletableFuture.failedFuture(c instanceof CsrRejectedException
                    ? new Refusal(Status.Code.INVALID_ARGUMENT, IssuanceMetrics.Reason.BAD_CSR, c.getMessage()) : c);
        }).thenApply(svid -> response(svid, ca.bundle()));
    }

    static CreateCertificateResponse response(IssuedSvid svid, TrustBundle bundle) {
        CreateCertificateResponse.Builder b = CreateCertificateResponse.newBuilder()
                .setTrustBundlePem(bundle.pem())
                .setSpiffeId(svid.id().uri())
                .setNotAfterUnixSeconds(svid.notAfter().getEpochSecond());
        for (X509Certificate c : svid.chain()) b.addCertChainPem(TrustBundle.pem(c));
        return b.build();
    }

    private void count(CreateCertificateResponse response, Throwable error, boolean renewal, SpiffeId caller) {
        if (error == null) {
            metrics.countIssued(renewal);
            return;
        }
        Throwable c = JoinTokens.cause(error);
        String who = caller == null ? "a join-token caller" : caller.uri();
        if (c instanceof Refusal r) {
            metrics.countRefused(r.reason());
            LOG.info("certificate for {} refused ({}): {}", who, r.reason(), r.getMessage());
        } else {
            metrics.countFailed();
            LOG.warn("certificate for {} failed: {}", who, c.toString());
        }
    }

    static Status status(Throwable error) {
        Throwable c = JoinTokens.cause(error);
        return c instanceof Refusal r ? r.status() : Status.INTERNAL.withDescription(INTERNAL_MESSAGE);
    }
}
