package io.strait.mesh.issuance;

import io.grpc.Status;

/**
 * A certificate request the control plane will not serve: the gRPC status the caller gets (its
 * description says why, and never holds the join token) and the reason it is counted under.
 */
final class Refusal extends Exception {
    private final transient Status status;
    private final IssuanceMetrics.Reason reason;

    Refusal(Status.Code code, IssuanceMetrics.Reason reason, String message) {
        super(message, null, false, false);
        this.status = Status.fromCode(code).withDescription(message);
        this.reason = reason;
    }

    Status status() {
        return status;
    }

    IssuanceMetrics.Reason reason() {
        return reason;
    }
}
