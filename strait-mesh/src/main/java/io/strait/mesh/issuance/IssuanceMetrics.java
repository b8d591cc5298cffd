package io.strait.mesh.issuance;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the certificate service, ready for the admin's {@code /metrics}: SVIDs issued (first
 * certificates and renewals apart), requests refused by reason, and requests that failed inside the
 * control plane (store or CA trouble, not the caller's fault).
 */
public final class IssuanceMetrics {
    /** Why a request was refused; each is counted apart. */
    public enum Reason {
        /** No client certificate and no join token. */
        NO_CREDENTIAL,
        /** A join token alongside a client certificate: the request must say which identity it proves. */
        AMBIGUOUS_CREDENTIALS,
        /** The join token is unknown, expired, used up or malformed (the caller is not told which). */
        TOKEN_REFUSED,
        /** The CSR does not parse, is not signed by its key, has a weak or unusual key, or asks for a non-SPIFFE name. */
        BAD_CSR,
        /** The CSR asks for an identity other than the one the token or the SVID proves. */
        IDENTITY_MISMATCH,
        /** The caller's SVID is of another trust domain than the CA's. */
        FOREIGN_TRUST_DOMAIN,
        /** A negative {@code validity_seconds}. */
        BAD_VALIDITY
    }

    private final LongAdder issuedFirst = new LongAdder();
    private final LongAdder issuedRenewal = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final EnumMap<Reason, LongAdder> refused = new EnumMap<>(Reason.class);

    public IssuanceMetrics() {
        for (Reason r : Reason.values()) refused.put(r, new LongAdder());
    }

    /** First certificates issued (authenticated by a join token). */
    public long issuedFirst() {
        return issuedFirst.sum();
    }

    /** Renewals issued (authenticated by the current SVID). */
    public long issuedRenewal() {
        return issuedRenewal.sum();
    }

    public long issued() {
        return issuedFirst() + issuedRenewal();
    }

    public long refused(Reason reason) {
        return refused.get(reason).sum();
    }

    /** Every reason with its count, in the enum's order. */
    public Map<Reason, Long> refusedByReason() {
        EnumMap<Reason, Long> out = new EnumMap<>(Reason.class);
        refused.forEach((r, n) -> out.put(r, n.sum()));
        return out;
    }

    /** Requests that failed inside the control plane (answered INTERNAL). */
    public long failed() {
        return failed.sum();
    }

    void countIssued(boolean renewal) {
        (renewal ? issuedRenewal : issuedFirst).increment();
    }

    void countRefused(Reason reason) {
        refused.get(reason).increment();
    }

    void countFailed() {
        failed.increment();
    }
}
