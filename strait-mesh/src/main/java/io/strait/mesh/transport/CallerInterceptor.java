package io.strait.mesh.transport;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.strait.mesh.api.Callers;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidException;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.mesh.identity.TrustBundle;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Puts the caller's SPIFFE ID in {@link Callers#CALLER} for every call. The handshake already verified
 * a client certificate; it is verified again per call, at the call's time and under the bundle of the
 * moment, so a connection outliving its certificate (or its root, removed from the bundle) can make no
 * more authenticated calls ({@code UNAUTHENTICATED}). A call without a client certificate has no caller.
 */
final class CallerInterceptor implements ServerInterceptor {
    private final SvidVerifier verifier;
    private final Supplier<TrustBundle> bundle;

    CallerInterceptor(SvidVerifier verifier, Supplier<TrustBundle> bundle) {
        this.verifier = verifier;
        this.bundle = bundle;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        List<X509Certificate> chain = session == null ? List.of() : peerChain(session);
        if (chain.isEmpty()) return Contexts.interceptCall(Context.current().withValue(Callers.CALLER, null), call, headers, next);
        SpiffeId caller;
        try {
            caller = verifier.verify(chain, bundle.get());
        } catch (SvidException e) {
            call.close(Status.UNAUTHENTICATED.withDescription("client certificate refused: " + e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(Callers.CALLER, caller), call, headers, next);
    }

    private static List<X509Certificate> peerChain(SSLSession session) {
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x) chain.add(x);
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of(); // no client certificate
        }
    }
}
