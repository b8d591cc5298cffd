package io.strait.mesh.testing;

import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.strait.mesh.api.Callers;
import io.strait.mesh.identity.SpiffeId;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server in this JVM (grpc-inprocess) with services behind a test interceptor that stands in
 * for the transport's mTLS one: it sets {@link Callers#CALLER} from the {@value #CALLER_HEADER}
 * header a test attaches with {@link #as}; no header is a caller without a client certificate.
 */
public final class InProcessGrpc implements AutoCloseable {
    public static final String CALLER_HEADER = "x-test-caller";
    private static final Metadata.Key<String> KEY = Metadata.Key.of(CALLER_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private final Server server;
    private final ManagedChannel channel;

    public InProcessGrpc(BindableService... services) throws IOException {
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder b = InProcessServerBuilder.forName(name);
        for (BindableService s : services) b.addService(ServerInterceptors.intercept(s, new CallerFromHeader()));
        server = b.build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** {@code stub} calling as {@code caller} (a verified SVID's identity), or with no client certificate when null. */
    public static <S extends AbstractStub<S>> S as(S stub, SpiffeId caller) {
        if (caller == null) return stub.withDeadlineAfter(10, TimeUnit.SECONDS);
        Metadata headers = new Metadata();
        headers.put(KEY, caller.uri());
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static final class CallerFromHeader implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String caller = headers.get(KEY);
            Context ctx = Context.current().withValue(Callers.CALLER, caller == null ? null : SpiffeId.parse(caller));
            return Contexts.interceptCall(ctx, call, headers, next);
        }
    }
}
