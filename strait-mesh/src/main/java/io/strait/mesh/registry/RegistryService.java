package io.strait.mesh.registry;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.strait.mesh.api.Labels;
import io.strait.mesh.api.Callers;
import io.strait.mesh.api.v1.DeregisterRequest;
import io.strait.mesh.api.v1.DeregisterResponse;
import io.strait.mesh.api.v1.HeartbeatRequest;
import io.strait.mesh.api.v1.HeartbeatResponse;
import io.strait.mesh.api.v1.RegisterRequest;
import io.strait.mesh.api.v1.RegisterResponse;
import io.strait.mesh.api.v1.RegistryServiceGrpc;
import io.strait.mesh.identity.SpiffeId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's gRPC face ({@code RegistryService} of mesh.proto). Every call needs a verified client
 * SVID ({@link Callers#CALLER}; none: {@code UNAUTHENTICATED}). Register: the workload's namespace and
 * account must be the SVID's ({@code PERMISSION_DENIED}), its fields sound ({@code INVALID_ARGUMENT},
 * listing every problem with its field), its instance id not held by another identity
 * ({@code ALREADY_EXISTS}). Heartbeat answers {@code known=false} for an instance the registry does
 * not know (never registered, expired, deregistered); Heartbeat and Deregister of another identity's
 * instance are {@code PERMISSION_DENIED}. A store failure is {@code UNAVAILABLE} (retry).
 */
public final class RegistryService extends RegistryServiceGrpc.RegistryServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryService.class);
    private final Registry registry;

    public RegistryService(Registry registry) {
        this.registry = registry;
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
        SpiffeId caller = Callers.CALLER.get();
        if (caller == null) {
            out.onError(unauthenticated("register"));
            return;
        }
        if (!request.hasWorkload()) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("workload: is required").asRuntimeException());
            return;
        }
        var w = request.getWorkload();
        Workload workload = new Workload(w.getInstanceId(), w.getService(), w.getNamespace(), w.getServiceAccount(), w.getAddress(),
                w.getZone(), Labels.map(w.getLabelsList()));
        RegisterResponse response = RegisterResponse.newBuilder()
                .setHeartbeatIntervalSeconds(registry.heartbeatInterval().toSeconds())
                .setExpirySeconds(registry.expiry().toSeconds()).build();
        CompletableFuture<Registration> done;
        try {
            done = registry.register(workload, caller);
        } catch (RegistryException e) {
            out.onError(status(e).asRuntimeException());
            return;
        }
        answer(done.thenApply(r -> response), out, "register");
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> out) {
        SpiffeId caller = Callers.CALLER.get();
        if (caller == null) {
            out.onError(unauthenticated("heartbeat"));
            return;
        }
        try {
            boolean known = registry.heartbeat(request.getInstanceId(), caller);
            out.onNext(HeartbeatResponse.newBuilder().setKnown(known).build());
            out.onCompleted();
        } catch (RegistryException e) {
            out.onError(status(e).asRuntimeException());
        }
    }

    @Override
    public void deregister(DeregisterRequest request, StreamObserver<DeregisterResponse> out) {
        SpiffeId caller = Callers.CALLER.get();
        if (caller == null) {
            out.onError(unauthenticated("deregister"));
            return;
        }
        CompletableFuture<Boolean> done;
        try {
            done = registry.deregister(request.getInstanceId(), caller);
        } catch (RegistryException e) {
            out.onError(status(e).asRuntimeException());
            return;
        }
        answer(done.thenApply(removed -> DeregisterResponse.getDefaultInstance()), out, "deregister");
    }

    private static <T> void answer(CompletableFuture<T> done, StreamObserver<T> out, String what) {
        done.whenComplete((value, error) -> {
            try {
                if (error == null) {
                    out.onNext(value);
                    out.onCompleted();
                } else {
                    Throwable c = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    LOG.warn("registry {} failed: {}", what, c.toString());
                    out.onError(Status.UNAVAILABLE.withDescription("the registry could not save the change; retry").asRuntimeException());
                }
            } catch (RuntimeException e) { // the call was cancelled meanwhile
                LOG.debug("registry {} answer not delivered: {}", what, e.toString());
            }
        });
    }

    private static RuntimeException unauthenticated(String what) {
        return Status.UNAUTHENTICATED.withDescription("to " + what + " a workload the caller needs a client certificate (its SVID)").asRuntimeException();
    }

    static Status status(RegistryException e) {
        Status s = switch (e.kind()) {
            case INVALID -> Status.INVALID_ARGUMENT;
            case FORBIDDEN -> Status.PERMISSION_DENIED;
            case CONFLICT -> Status.ALREADY_EXISTS;
        };
        return s.withDescription(e.getMessage());
    }
}
