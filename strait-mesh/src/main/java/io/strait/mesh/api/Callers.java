package io.strait.mesh.api;

import io.grpc.Context;
import io.strait.mesh.identity.SpiffeId;

/**
 * Who is calling the control plane's gRPC API. The transport's server interceptor verifies the
 * caller's client certificate (an SVID chained to the trust bundle) and puts its identity here;
 * a call without a client certificate (a sidecar's first CSR, authenticated by a join token) has
 * none. Services read it with {@code Callers.CALLER.get()}, which is {@code null} for no SVID.
 */
public final class Callers {
    /** The verified SPIFFE ID of the caller's client certificate, or {@code null}. */
    public static final Context.Key<SpiffeId> CALLER = Context.key("strait-mesh-caller");

    private Callers() {
    }
}
