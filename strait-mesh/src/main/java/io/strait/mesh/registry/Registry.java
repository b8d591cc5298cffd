package io.strait.mesh.registry;

import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.store.ControlPlaneStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service registry: the workloads sidecars registered, each owned by the SPIFFE ID that registered
 * it, kept while they heartbeat.
 * <p><b>Expiry.</b> A workload last heard from at {@code t} (registration or heartbeat) is expired from
 * {@code t + expiry} on: a heartbeat then answers "unknown" and removes it, and {@link #sweep()} removes
 * it. The control plane sweeps every {@link #SWEEP_INTERVAL} ({@link #startSweeping}), so a silent
 * workload leaves the registry (and its listeners hear {@code EXPIRED}) at most {@code expiry +}
 * {@link #SWEEP_INTERVAL} after it was last heard from: 16 s with the defaults.
 * <p><b>State.</b> The registrations (not the heartbeats) are written to the {@link ControlPlaneStore}
 * under {@code registry/workloads/<instanceId>}, one write at a time in the order they happened, so that
 * a restarted control plane {@link #load()}s them: each then has one expiry period to heartbeat, and a
 * sidecar that heartbeats in time is never dropped by a restart. The entries in memory are the truth
 * while it runs (one control plane; several replicas will need the store's leases).
 * <p><b>Listeners</b> hear every change in order, on the thread that made it, while the registry is
 * locked: they must be quick and must not block (config distribution marks the services dirty and
 * pushes from its own thread). A listener's exception is logged and does not stop the others.
 * All methods are thread-safe; none blocks on I/O (the store's writes are asynchronous).
 */
public final class Registry {
    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);
    /** How often a sidecar heartbeats: often enough that a dead workload leaves in seconds, rarely enough to cost nothing (Consul's and Eureka's agents are in this range). */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    /** Three heartbeat intervals: two heartbeats lost in a row do not evict a live workload. */
    public static final Duration DEFAULT_EXPIRY = Duration.ofSeconds(15);
    /** How often expired workloads are swept out; the registry's time resolution. */
    public static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);
    /** Below the sweep interval a shorter heartbeat gains nothing. */
    public static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** Longer, and a dead workload would be called for minutes. */
    public static final Duration MAX_HEARTBEAT_INTERVAL = Duration.ofMinutes(5);
    /** The expiry is at least this many heartbeat intervals: one late or lost heartbeat must never evict. */
    public static final int MIN_EXPIRY_HEARTBEATS = 2;
    /** Callers would keep calling a dead workload for this long at worst (outlier detection aside). */
    public static final Duration MAX_EXPIRY = Duration.ofHours(1);

    private final ControlPlaneStore store;
    private final Clock clock;
    private final Duration heartbeatInterval;
    private final Duration expiry;
    private final Map<String, Registration> entries = new HashMap<>();
    /**
     * Every {@code namespace/service} that has had a workload since this registry was made: a service whose last
     * workload left stays in the snapshot with none, so callers get {@code 503 no_healthy_upstream} (retried, and
     * true: the service exists and is down) rather than {@code 404 route_not_found}, as a Kubernetes Service with no
     * ready endpoints does. Bounded by the number of services; forgotten when the control plane restarts.
     */
    private final Map<String, java.util.Set<String>> known = new TreeMap<>();
    private final List<Consumer<RegistryChange>> listeners = new CopyOnWriteArrayList<>();
    private long revision;
    private CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);

    public Registry(ControlPlaneStore store, Clock clock, Duration heartbeatInterval, Duration expiry) {
        String bad = checkHeartbeatInterval(heartbeatInterval);
        if (bad == null) bad = checkExpiry(expiry, heartbeatInterval);
        if (bad != null) throw new IllegalArgumentException(bad);
        this.store = store;
        this.clock = clock;
        this.heartbeatInterval = heartbeatInterval;
        this.expiry = expiry;
    }

    /** Null when {@code d} is an acceptable heartbeat interval, else why not. */
    public static String checkHeartbeatInterval(Duration d) {
        if (d == null || d.compareTo(MIN_HEARTBEAT_INTERVAL) < 0 || d.compareTo(MAX_HEARTBEAT_INTERVAL) > 0) {
            return "must be between " + CertificateAuthority.human(MIN_HEARTBEAT_INTERVAL) + " and "
                    + CertificateAuthority.human(MAX_HEARTBEAT_INTERVAL) + " (was " + CertificateAuthority.human(d) + ")";
        }
        return null;
    }

    /** Null when {@code expiry} suits {@code heartbeatInterval}, else why not. */
    public static String checkExpiry(Duration expiry, Duration heartbeatInterval) {
        if (expiry == null) return "must be a duration";
        Duration min = heartbeatInterval.multipliedBy(MIN_EXPIRY_HEARTBEATS);
        if (expiry.compareTo(min) < 0) {
            return "must be at least " + MIN_EXPIRY_HEARTBEATS + "x registry.heartbeatInterval (" + CertificateAuthority.human(min)
                    + "; was " + CertificateAuthority.human(expiry) + ")";
        }
        if (expiry.compareTo(MAX_EXPIRY) > 0) return "must be at most " + CertificateAuthority.human(MAX_EXPIRY) + " (was " + CertificateAuthority.human(expiry) + ")";
        return null;
    }

    /** The expiry to use when the config gives none: the default, or three heartbeat intervals when those are longer. */
    public static Duration defaultExpiry(Duration heartbeatInterval) {
        Duration three = heartbeatInterval.multipliedBy(3);
        return three.compareTo(DEFAULT_EXPIRY) > 0 ? three : DEFAULT_EXPIRY;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public Duration expiry() {
        return expiry;
    }

    /** Reads the stored registrations (a restart); each is last seen now. Call before serving. Returns how many. */
    public CompletableFuture<Integer> load() {
        return store.list(RegistryCodec.KEY_PREFIX).thenApply(stored -> {
            int n = 0;
            synchronized (this) {
                Instant now = clock.instant();
                for (ControlPlaneStore.Entry e : stored) {
                    Registration r;
                    try {
                        r = RegistryCodec.decode(e.value(), now);
                    } catch (IllegalStateException bad) {
                        LOG.warn("registry entry {} skipped: {}", e.key(), bad.getMessage());
                        continue;
                    }
                    Registration old = entries.put(r.instanceId(), r);
                    remember(r.workload());
                    fire(old == null ? RegistryChange.Kind.REGISTERED : RegistryChange.Kind.UPDATED, r, old);
                    n++;
                }
            }
            LOG.info("registry: {} workloads loaded from {}; each has {} to heartbeat", n, store.describe(), CertificateAuthority.human(expiry));
            return n;
        });
    }

    /**
     * Registers {@code w} for {@code caller} (its verified SPIFFE ID), or updates it when the caller
     * registered it before; completes once the store holds it.
     *
     * @throws RegistryException INVALID (a field is wrong; every problem is listed), FORBIDDEN (the
     *         workload's namespace or account is not the caller's), CONFLICT (another identity holds the id)
     */
    public CompletableFuture<Registration> register(Workload w, SpiffeId caller) throws RegistryException {
        java.util.Objects.requireNonNull(caller, "caller");
        List<String> problems = WorkloadCheck.problems(w);
        if (!problems.isEmpty()) throw new RegistryException(RegistryException.Kind.INVALID, String.join("; ", problems));
        if (!w.namespace().equals(caller.namespace()) || !w.account().equals(caller.account())) {
            throw new RegistryException(RegistryException.Kind.FORBIDDEN, "the workload's namespace and account " + w.namespace() + "/"
                    + w.account() + " are not the caller's: its certificate is " + caller);
        }
        synchronized (this) {
            Instant now = clock.instant();
            Registration old = live(w.instanceId(), now);
            if (old != null && !old.owner().equals(caller)) {
                throw new RegistryException(RegistryException.Kind.CONFLICT, "the instance id '" + w.instanceId()
                        + "' is registered by another identity; each sidecar needs its own instance id");
            }
            Registration r = new Registration(w, caller, old == null ? now : old.registeredAt(), now);
            entries.put(w.instanceId(), r);
            remember(w);
            if (old == null || !old.workload().equals(w)) { // else a repeat: no change to tell, but written again (a retry after a failed write)
                fire(old == null ? RegistryChange.Kind.REGISTERED : RegistryChange.Kind.UPDATED, r, old);
                LOG.info("registry: {} {} {} at {} by {}", old == null ? "registered" : "updated", w.serviceKey(), w.instanceId(), w.address(), caller);
            }
            return write(r.instanceId(), RegistryCodec.encode(r)).thenApply(v -> r);
        }
    }

    /**
     * Records a heartbeat of {@code instanceId}: true when it is registered (its expiry starts again),
     * false when the registry does not know it (never registered, deregistered, or expired: register again).
     *
     * @throws RegistryException FORBIDDEN when another identity registered it
     */
    public synchronized boolean heartbeat(String instanceId, SpiffeId caller) throws RegistryException {
        Instant now = clock.instant();
        Registration r = live(instanceId, now);
        if (r == null) return false;
        checkOwner(r, caller, "heartbeat");
        entries.put(instanceId, r.seen(now));
        return true;
    }

    /**
     * Removes {@code instanceId}; completes with false when it was not registered (deregistering is
     * idempotent), once the store no longer holds it.
     *
     * @throws RegistryException FORBIDDEN when another identity registered it
     */
    public CompletableFuture<Boolean> deregister(String instanceId, SpiffeId caller) throws RegistryException {
        synchronized (this) {
            Registration r = live(instanceId, clock.instant());
            if (r == null) return CompletableFuture.completedFuture(false);
            checkOwner(r, caller, "deregister");
            entries.remove(instanceId);
            fire(RegistryChange.Kind.DEREGISTERED, r, null);
            LOG.info("registry: deregistered {} {} by {}", r.workload().serviceKey(), instanceId, caller);
            return write(instanceId, null).thenApply(v -> true);
        }
    }

    /** Removes every expired workload now; returns how many. {@link #startSweeping} calls it every {@link #SWEEP_INTERVAL}. */
    public synchronized int sweep() {
        Instant now = clock.instant();
        List<String> ids = new ArrayList<>();
        for (Registration r : entries.values()) if (expired(r, now)) ids.add(r.instanceId());
        Collections.sort(ids);
        for (String id : ids) live(id, now);
        return ids.size();
    }

    /** Runs {@link #sweep()} every {@link #SWEEP_INTERVAL} on {@code scheduler} until the returned handle is closed. */
    public AutoCloseable startSweeping(ScheduledExecutorService scheduler) {
        long ms = SWEEP_INTERVAL.toMillis();
        ScheduledFuture<?> task = scheduler.scheduleAtFixedRate(() -> {
            try {
                sweep();
            } catch (RuntimeException e) { // never let one failure end the schedule
                LOG.warn("registry sweep failed: {}", e.toString());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
        return () -> task.cancel(false);
    }

    private void remember(Workload w) {
        known.computeIfAbsent(w.namespace(), k -> new java.util.TreeSet<>()).add(w.service());
    }

    /** Adds a listener of every later change; the returned handle removes it. */
    public AutoCloseable addListener(Consumer<RegistryChange> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The registration of {@code instanceId}, if registered and not expired. */
    public synchronized Optional<Registration> get(String instanceId) {
        Registration r = entries.get(instanceId);
        return r == null || expired(r, clock.instant()) ? Optional.empty() : Optional.of(r);
    }

    /**
     * The whole registry now, grouped by namespace and service (expired entries not yet swept included until the sweep);
     * a service whose workloads all left is listed with none.
     */
    public synchronized RegistrySnapshot snapshot() {
        Map<String, Map<String, List<Registration>>> grouped = new TreeMap<>();
        for (Registration r : entries.values()) {
            grouped.computeIfAbsent(r.workload().namespace(), k -> new TreeMap<>())
                    .computeIfAbsent(r.workload().service(), k -> new ArrayList<>()).add(r);
        }
        known.forEach((ns, services) -> services.forEach(svc ->
                grouped.computeIfAbsent(ns, k -> new TreeMap<>()).computeIfAbsent(svc, k -> new ArrayList<>())));
        Map<String, Map<String, List<Registration>>> frozen = new TreeMap<>();
        grouped.forEach((ns, services) -> {
            Map<String, List<Registration>> s = new TreeMap<>();
            services.forEach((svc, list) -> s.put(svc, list.stream().sorted(Comparator.comparing(Registration::instanceId)).toList()));
            frozen.put(ns, Collections.unmodifiableMap(s));
        });
        return new RegistrySnapshot(revision, Collections.unmodifiableMap(frozen));
    }

    /** The registry's revision: it grows by one with every change listeners hear about. */
    public synchronized long revision() {
        return revision;
    }

    private boolean expired(Registration r, Instant now) {
        return !now.isBefore(r.expiresAt(expiry));
    }

    /** The live entry of {@code id}, after removing it (with an EXPIRED change) if it has expired. Holds the lock. */
    private Registration live(String id, Instant now) {
        Registration r = entries.get(id);
        if (r == null || !expired(r, now)) return r;
        entries.remove(id);
        fire(RegistryChange.Kind.EXPIRED, r, null);
        LOG.info("registry: {} {} expired (last heard from {})", r.workload().serviceKey(), id, r.lastSeen());
        write(id, null).exceptionally(e -> null); // logged by write
        return null;
    }

    private static void checkOwner(Registration r, SpiffeId caller, String what) throws RegistryException {
        if (!r.owner().equals(caller)) {
            throw new RegistryException(RegistryException.Kind.FORBIDDEN, "the instance id '" + r.instanceId()
                    + "' is registered by another identity; " + caller + " may not " + what + " it");
        }
    }

    private void fire(RegistryChange.Kind kind, Registration r, Registration previous) {
        RegistryChange change = new RegistryChange(kind, r, kind == RegistryChange.Kind.UPDATED ? previous : null, ++revision);
        for (Consumer<RegistryChange> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("registry listener {} failed on {}: {}", l, kind, e.toString());
            }
        }
    }

    /**
     * Writes (or, with a null value, deletes) the stored entry after every earlier write, so the store
     * sees the changes in the order memory did. Holds the lock.
     */
    private CompletableFuture<Void> write(String instanceId, byte[] value) {
        String key = RegistryCodec.key(instanceId);
        CompletableFuture<Void> next = writes.handle((v, e) -> null).thenCompose(x -> store.get(key)).thenCompose(found -> {
            if (value == null) {
                return found.isEmpty() ? CompletableFuture.completedFuture(true) : store.delete(key, found.get().version());
            }
            return store.compareAndSet(key, found.map(ControlPlaneStore.Entry::version).orElse(ControlPlaneStore.ABSENT), value);
        }).thenAccept(ok -> {
            if (!ok) throw new IllegalStateException("the store entry " + key + " changed under the registry");
        });
        next.whenComplete((v, e) -> {
            if (e != null) LOG.warn("registry: writing {} to {} failed: {}", key, store.describe(), e.toString());
        });
        writes = next;
        return next;
    }
}
