package io.strait.mesh.xds;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.strait.mesh.api.Callers;
import io.strait.mesh.api.v1.ConfigDiscoveryServiceGrpc;
import io.strait.mesh.api.v1.DiscoveryRequest;
import io.strait.mesh.api.v1.DiscoveryResponse;
import io.strait.mesh.api.v1.Node;
import io.strait.mesh.identity.SpiffeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's side of the config stream, with xDS state-of-the-world semantics. Each response
 * carries every resource of its type, a version and a nonce; the sidecar answers each with an ACK (the
 * version it now runs) or a NACK (the version it keeps, and why). The server:
 * <ul>
 *   <li>keeps a snapshot cache by node instance id and type ({@link #set}); a set pushes at once to that node's
 *       open stream when the version differs from what it was sent; a {@link Listener} hears of streams opening
 *       (build the node's snapshot then) and closing;</li>
 *   <li>asks {@code source} for a node's resources when its stream opens and on {@link #refresh()} (after
 *       any change: the registry, policies, the trust bundle), and pushes a type only when its version
 *       differs from what that stream was last sent; a sidecar that reconnects naming the current version
 *       gets no push;</li>
 *   <li>ignores a request whose nonce is not the last one sent for its type (a stale answer, as xDS);</li>
 *   <li>records a NACK (shown in {@link #status()} and, kept after the stream ends, in {@link #lastErrors()}; logged once per version) and sends nothing more for
 *       that type until its config changes.</li>
 * </ul>
 * A stream needs an SVID ({@code UNAUTHENTICATED} otherwise), and its node's namespace must be the SVID's.
 * {@code source} runs on the calling thread: the stream's gRPC thread, or the one calling {@link #refresh()}.
 */
public final class DiscoveryServer extends ConfigDiscoveryServiceGrpc.ConfigDiscoveryServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(DiscoveryServer.class);

    private final Function<Node, Map<String, VersionedResources>> source;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicLong nonces = new AtomicLong();
    /** The snapshot cache: by node instance id, by type; a type set here wins over {@code source}'s. */
    private final Map<String, Map<String, VersionedResources>> snapshots = new ConcurrentHashMap<>();
    /** The last NACK by node instance id and type, kept after the stream ends (for an admin view). */
    private final Map<String, Map<String, String>> lastErrors = new ConcurrentHashMap<>();
    private volatile Listener listener = Listener.NONE;

    /** Tells the owner when a node's stream opens (build its snapshot now, with {@link #set}) and closes. */
    public interface Listener {
        Listener NONE = new Listener() {};

        /** Called on the stream's gRPC thread before anything is pushed to it: do not block (hand slow work to another thread). */
        default void opened(Node node) {}

        default void closed(Node node) {}
    }

    /**
     * A server whose resources come from {@code source} (asked on connect and on {@link #refresh()}) and from
     * the snapshot cache ({@link #set}); a type in the cache wins.
     */
    public DiscoveryServer(Function<Node, Map<String, VersionedResources>> source) {
        this.source = source;
    }

    /** A server fed only by its snapshot cache ({@link #set}). */
    public DiscoveryServer() {
        this(node -> Map.of());
    }

    /** Sets the listener told of streams opening and closing (one; replaces the previous). */
    public void listener(Listener listener) {
        this.listener = listener == null ? Listener.NONE : listener;
    }

    /**
     * Sets every resource of {@code typeUrl} for node {@code nodeId} at {@code version} and pushes it at once to
     * that node's open stream if the version differs from what the stream was last sent. Never blocks on the network.
     */
    public void set(String nodeId, String typeUrl, String version, List<io.strait.mesh.api.v1.Resource> resources) {
        snapshots.computeIfAbsent(nodeId, k -> new ConcurrentHashMap<>()).put(typeUrl, new VersionedResources(version, resources));
        for (Stream s : streams) {
            Node n = s.node;
            if (n != null && n.getInstanceId().equals(nodeId)) s.refresh();
        }
    }

    /** Drops a node's snapshot (its open stream keeps what it was sent). */
    public void clear(String nodeId) {
        snapshots.remove(nodeId);
    }

    /** The last NACK reason by node instance id and type URL, kept after its stream closed; a later ACK of that type clears it. */
    public Map<String, Map<String, String>> lastErrors() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        lastErrors.forEach((node, m) -> { if (!m.isEmpty()) out.put(node, Map.copyOf(m)); });
        return out;
    }

    private Map<String, VersionedResources> resourcesFor(Node node) {
        Map<String, VersionedResources> cached = snapshots.get(node.getInstanceId());
        Map<String, VersionedResources> fromSource = source.apply(node);
        if (cached == null || cached.isEmpty()) return fromSource;
        Map<String, VersionedResources> merged = new HashMap<>(fromSource);
        merged.putAll(cached);
        return merged;
    }

    /** Recomputes every connected node's resources and pushes what changed. */
    public void refresh() {
        for (Stream s : streams) s.refresh();
    }

    /** What each open stream was sent, acknowledged and refused, by node instance and type. */
    public Map<String, Map<String, TypeStatus>> status() {
        Map<String, Map<String, TypeStatus>> out = new LinkedHashMap<>();
        for (Stream s : streams) {
            if (s.node != null) out.put(s.node.getInstanceId(), s.status());
        }
        return out;
    }

    /** How many streams are open. */
    public int connected() {
        return streams.size();
    }

    /**
     * One type on one stream: the version last sent, the version the sidecar runs (its last ACK), and its
     * last NACK's version and reason (null when it never refused one).
     */
    public record TypeStatus(String sent, String acked, String nackedVersion, String nackReason) {}

    @Override
    public StreamObserver<DiscoveryRequest> streamConfig(StreamObserver<DiscoveryResponse> responses) {
        SpiffeId caller = Callers.CALLER.get();
        if (caller == null) {
            responses.onError(Status.UNAUTHENTICATED.withDescription("the config stream needs the sidecar's SVID (mTLS)").asRuntimeException());
            return new NoOp();
        }
        Stream s = new Stream((ServerCallStreamObserver<DiscoveryResponse>) responses, caller);
        ((ServerCallStreamObserver<DiscoveryResponse>) responses).setOnCancelHandler(s::cancelled);
        return s;
    }

    /** Per type state of one stream. */
    private static final class TypeState {
        boolean subscribed;
        String sentVersion;
        String nonce = "";
        String acked;
        String nackedVersion;
        String nackReason;
    }

    private final class Stream implements StreamObserver<DiscoveryRequest> {
        private final ServerCallStreamObserver<DiscoveryResponse> out;
        private final SpiffeId caller;
        private final Map<String, TypeState> types = new HashMap<>();
        private Map<String, VersionedResources> current = Map.of();
        private volatile Node node;
        private boolean closed;

        Stream(ServerCallStreamObserver<DiscoveryResponse> out, SpiffeId caller) {
            this.out = out;
            this.caller = caller;
        }

        @Override
        public synchronized void onNext(DiscoveryRequest req) {
            if (closed) return;
            if (node == null) {
                if (!req.hasNode() || req.getNode().getInstanceId().isEmpty()) {
                    fail(Status.INVALID_ARGUMENT.withDescription("the first request of a stream names its node (node.instance_id)"));
                    return;
                }
                if (!req.getNode().getNamespace().equals(caller.namespace())) {
                    fail(Status.PERMISSION_DENIED.withDescription("node namespace '" + req.getNode().getNamespace()
                            + "' is not the caller's (" + caller + ")"));
                    return;
                }
                node = req.getNode();
                streams.add(this);
                try {
                    listener.opened(node);
                } catch (RuntimeException e) {
                    log.warn("config stream: the open listener failed for {}: {}", node.getInstanceId(), e.toString());
                }
                current = resourcesFor(node);
            }
            String type = req.getTypeUrl();
            TypeState t = types.computeIfAbsent(type, k -> new TypeState());
            if (!req.getResponseNonce().isEmpty() && !req.getResponseNonce().equals(t.nonce)) return; // stale: an answer to an older push
            if (req.hasErrorDetail()) {
                if (!java.util.Objects.equals(t.nackedVersion, t.sentVersion)) { // once per refused version
                    log.warn("config stream: {} ({}) refused {} version {}: {}", node.getInstanceId(), caller, TypeUrls.shortName(type),
                            t.sentVersion, req.getErrorDetail().getMessage());
                }
                t.nackedVersion = t.sentVersion;
                t.nackReason = req.getErrorDetail().getMessage();
                lastErrors.computeIfAbsent(node.getInstanceId(), k -> new ConcurrentHashMap<>()).put(type, t.nackReason);
                t.acked = req.getVersionInfo().isEmpty() ? t.acked : req.getVersionInfo();
                return;
            }
            if (!req.getResponseNonce().isEmpty()) {
                t.acked = req.getVersionInfo();
                Map<String, String> errors = lastErrors.get(node.getInstanceId());
                if (errors != null) errors.remove(type);
                return;
            }
            // a subscription (the first request of the type on this stream)
            t.subscribed = true;
            if (!req.getVersionInfo().isEmpty()) {
                t.acked = req.getVersionInfo();
                t.sentVersion = req.getVersionInfo(); // what it runs: pushed again only when it differs
            }
            push(type, t);
        }

        synchronized void refresh() {
            if (closed || node == null) return;
            current = resourcesFor(node);
            for (Map.Entry<String, TypeState> e : types.entrySet()) {
                if (e.getValue().subscribed) push(e.getKey(), e.getValue());
            }
        }

        private void push(String type, TypeState t) {
            VersionedResources r = current.get(type);
            if (r == null || r.version().equals(t.sentVersion)) return;
            t.sentVersion = r.version();
            t.nonce = Long.toString(nonces.incrementAndGet());
            try {
                out.onNext(DiscoveryResponse.newBuilder().setTypeUrl(type).setVersionInfo(r.version()).setNonce(t.nonce)
                        .addAllResources(r.resources()).build());
            } catch (RuntimeException e) { // the call was cancelled meanwhile
                end();
            }
        }

        synchronized Map<String, TypeStatus> status() {
            Map<String, TypeStatus> m = new LinkedHashMap<>();
            types.forEach((type, t) -> m.put(TypeUrls.shortName(type), new TypeStatus(t.sentVersion, t.acked, t.nackedVersion, t.nackReason)));
            return m;
        }

        private void fail(Status status) {
            end();
            out.onError(status.asRuntimeException());
        }

        private void end() {
            if (closed) return;
            closed = true;
            streams.remove(this);
            if (node != null) {
                try {
                    listener.closed(node);
                } catch (RuntimeException e) {
                    log.warn("config stream: the close listener failed for {}: {}", node.getInstanceId(), e.toString());
                }
            }
        }

        synchronized void cancelled() {
            end();
        }

        @Override
        public synchronized void onError(Throwable t) {
            end();
        }

        @Override
        public synchronized void onCompleted() {
            end();
            try {
                out.onCompleted();
            } catch (RuntimeException e) {
                log.debug("config stream: completing: {}", e.toString());
            }
        }
    }

    private static final class NoOp implements StreamObserver<DiscoveryRequest> {
        @Override
        public void onNext(DiscoveryRequest value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    }

    /** For tests: the streams' nodes. */
    List<Node> nodes() {
        List<Node> out = new ArrayList<>();
        for (Stream s : streams) if (s.node != null) out.add(s.node);
        return out;
    }
}
