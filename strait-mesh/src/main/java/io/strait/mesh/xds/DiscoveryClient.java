package io.strait.mesh.xds;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.strait.mesh.api.v1.ConfigDiscoveryServiceGrpc;
import io.strait.mesh.api.v1.DiscoveryRequest;
import io.strait.mesh.api.v1.DiscoveryResponse;
import io.strait.mesh.api.v1.ErrorDetail;
import io.strait.mesh.api.v1.Node;
import io.strait.mesh.api.v1.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sidecar's side of the config stream: one stream to the control plane, subscribed to the types it has
 * handlers for. Each response goes to its type's handler, which applies it or says why not; the client
 * then ACKs (the response's version) or NACKs (the last version it accepted, with the reason) and keeps
 * running what it accepted last. When the stream ends it reconnects after a full-jitter backoff
 * ({@link #FIRST_BACKOFF} doubling to {@link #MAX_BACKOFF}, back to the first after a stream that delivered
 * a response) and names its accepted versions, so the control plane sends only what changed meanwhile.
 */
public final class DiscoveryClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiscoveryClient.class);
    public static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** Applies every resource of one type; returns why they are refused, or empty when they now run. */
    @FunctionalInterface
    public interface Handler {
        Optional<String> apply(String version, List<Resource> resources);
    }

    /** The client's state: connected now, the versions it runs, its last refusal, reconnect attempts since the last response. */
    public record State(boolean connected, Map<String, String> accepted, String lastNack, int attempts, Instant lastResponse) {}

    private final Supplier<ManagedChannel> channel;
    private final Node node;
    private final Map<String, Handler> handlers;
    private final ScheduledExecutorService scheduler;
    private final RandomGenerator random;
    private final java.time.Clock clock;
    private final Map<String, String> accepted = new LinkedHashMap<>();
    private final Map<String, List<Resource>> acceptedResources = new LinkedHashMap<>();
    /** The types a response has arrived for (accepted or refused), since the client was made. */
    private final java.util.Set<String> answered = new java.util.HashSet<>();
    private ClientCallStreamObserver<DiscoveryRequest> requests;
    /** A stream is open (started and not ended); with its channel READY, the client counts as connected. */
    private boolean streaming;
    private boolean closed;
    private int attempts;
    private String lastNack;
    private Instant lastResponse;

    /**
     * @param channel the channel of the moment (a sidecar makes a new one after each SVID renewal)
     * @param handlers by type URL ({@link TypeUrls}); called on the stream's gRPC thread, one response at a time
     */
    public DiscoveryClient(Supplier<ManagedChannel> channel, Node node, Map<String, Handler> handlers, ScheduledExecutorService scheduler,
            RandomGenerator random) {
        this(channel, node, handlers, scheduler, random, java.time.Clock.systemUTC());
    }

    /**
     * As above, with the clock that stamps {@link State#lastResponse()}; {@code scheduler} runs the reconnects
     * (a test may run them at once and read the delays it was asked for), {@code random} draws the jitter.
     */
    public DiscoveryClient(Supplier<ManagedChannel> channel, Node node, Map<String, Handler> handlers, ScheduledExecutorService scheduler,
            RandomGenerator random, java.time.Clock clock) {
        this.clock = clock;
        this.channel = channel;
        this.node = node;
        this.handlers = Map.copyOf(handlers);
        this.scheduler = scheduler;
        this.random = random;
    }

    /** Opens the stream (and keeps one open until {@link #close()}). */
    public synchronized void start() {
        if (closed) return;
        Observer observer = new Observer();
        streaming = true;
        ConfigDiscoveryServiceGrpc.newStub(channel.get()).streamConfig(observer);
        boolean first = true;
        for (String type : handlers.keySet()) {
            DiscoveryRequest.Builder r = DiscoveryRequest.newBuilder().setTypeUrl(type).setVersionInfo(accepted.getOrDefault(type, ""));
            if (first) r.setNode(node);
            first = false;
            observer.send(r.build());
        }
    }

    /** The same as {@link #state()}: connected now, the accepted version per type, the last NACK reason, reconnect attempts. */
    public State status() {
        return state();
    }

    /** The last resources accepted, by type URL (empty for a type with none accepted yet). */
    public synchronized Map<String, List<Resource>> acceptedResources() {
        return Map.copyOf(acceptedResources);
    }

    /**
     * The client's state. Connected means a stream is open on a READY connection: a control plane that comes back
     * with the versions the sidecar runs sends nothing, and the sidecar is connected all the same.
     */
    public synchronized State state() {
        boolean connected = streaming && channel.get().getState(false) == io.grpc.ConnectivityState.READY;
        return new State(connected, Map.copyOf(accepted), lastNack, attempts, lastResponse);
    }

    private synchronized void onResponse(Observer o, DiscoveryResponse res) {
        if (closed || o.dead) return;
        attempts = 0;
        lastResponse = clock.instant();
        Handler h = handlers.get(res.getTypeUrl());
        DiscoveryRequest.Builder answer = DiscoveryRequest.newBuilder().setTypeUrl(res.getTypeUrl()).setResponseNonce(res.getNonce());
        if (h == null) {
            o.send(answer.setVersionInfo(accepted.getOrDefault(res.getTypeUrl(), ""))
                    .setErrorDetail(ErrorDetail.newBuilder().setMessage("not subscribed to " + res.getTypeUrl())).build());
            return;
        }
        Optional<String> refused;
        try {
            refused = h.apply(res.getVersionInfo(), res.getResourcesList());
        } catch (RuntimeException e) {
            refused = Optional.of("applying it failed: " + e);
        }
        answered.add(res.getTypeUrl());
        notifyAll();
        if (refused.isPresent()) {
            lastNack = TypeUrls.shortName(res.getTypeUrl()) + " " + res.getVersionInfo() + ": " + refused.get();
            log.warn("config version {} of {} refused, keeping {}: {}", res.getVersionInfo(), TypeUrls.shortName(res.getTypeUrl()),
                    accepted.getOrDefault(res.getTypeUrl(), "none"), refused.get());
            o.send(answer.setVersionInfo(accepted.getOrDefault(res.getTypeUrl(), ""))
                    .setErrorDetail(ErrorDetail.newBuilder().setMessage(refused.get())).build());
        } else {
            accepted.put(res.getTypeUrl(), res.getVersionInfo());
            acceptedResources.put(res.getTypeUrl(), List.copyOf(res.getResourcesList()));
            o.send(answer.setVersionInfo(res.getVersionInfo()).build());
        }
    }

    /**
     * Waits until a response of each of {@code types} has arrived (applied or refused), at most {@code max}; returns
     * whether they all did. Blocking: never on an event loop or the stream's thread.
     */
    public synchronized boolean awaitAnswers(java.util.Collection<String> types, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!answered.containsAll(types) && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return answered.containsAll(types);
    }

    private synchronized void onEnd(Observer o, Throwable error) {
        if (o.dead) return;
        o.dead = true;
        streaming = false;
        if (closed) return;
        attempts++;
        long cap = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempts - 1, 20));
        long delay = random.nextLong(cap + 1);
        if (attempts == 1 || attempts % 10 == 0) {
            log.warn("config stream to the control plane ended ({}); keeping the config it has, reconnecting in {} ms (attempt {})",
                    error == null ? "closed by the server" : error.getMessage(), delay, attempts);
        }
        scheduler.schedule(this::start, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
        if (requests != null) requests.cancel("sidecar stopping", null);
    }

    private final class Observer implements ClientResponseObserver<DiscoveryRequest, DiscoveryResponse> {
        private ClientCallStreamObserver<DiscoveryRequest> out;
        volatile boolean dead;

        @Override
        public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> stream) {
            out = stream;
            synchronized (DiscoveryClient.this) {
                requests = stream;
            }
        }

        void send(DiscoveryRequest r) {
            if (dead) return;
            synchronized (this) {
                out.onNext(r);
            }
        }

        @Override
        public void onNext(DiscoveryResponse value) {
            onResponse(this, value);
        }

        @Override
        public void onError(Throwable t) {
            onEnd(this, t);
        }

        @Override
        public void onCompleted() {
            onEnd(this, null);
        }
    }
}
