package io.strait.proxy.runtime;

import io.strait.proxy.transport.Transport;

import io.netty.channel.EventLoopGroup;
import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.admin.AdminServer;
import io.strait.proxy.cluster.ClusterManager;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.endpoint.UpstreamPools;
import io.strait.proxy.resilience.ResilienceMetrics;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.listener.ListenerServer;
import io.strait.proxy.observe.AccessLog;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.observe.RouteMetrics;
import io.strait.proxy.observe.Tracing;
import io.strait.proxy.tls.CertificateSources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Strait proxy: event loops, listeners, admin server, clusters and pools, and the
 * current configuration {@link Snapshot}. Reloads build a new snapshot and swap it in; requests in
 * flight finish on the one they started with.
 */
public final class ProxyServer implements Engine, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final Path configFile;
    private final Transport transport;
    private final EventLoopGroup group;
    private final UpstreamPools pools;
    private final ProxyMetrics metrics;
    private final RouteMetrics unrouted;
    private final AccessLog accessLog;
    private final Tracing tracing;
    private final List<ListenerServer> listeners = new ArrayList<>();
    /** Reloads, file watching and other blocking control work: never on an event loop. */
    private final ExecutorService control = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "strait-control");
        t.setDaemon(true);
        return t;
    });
    private final AdminServer admin;
    private final FilterFactory filters;
    /** Certificate sources set by code for named listeners and clusters (in place of their files). */
    private final CertificateSources certificates;
    private volatile Snapshot snapshot;
    private volatile boolean ready;
    private final AtomicBoolean closed = new AtomicBoolean();
    private ConfigWatcher watcher;

    private ProxyServer(StraitConfig config, Path configFile, int threads, FilterFactory filters,
            CertificateSources certificates) {
        this.configFile = configFile;
        this.filters = filters;
        this.certificates = certificates;
        this.metrics = new ProxyMetrics();
        filters.registerMetrics(metrics.registry());
        this.transport = Transport.detect();
        this.group = transport.newGroup(threads, "strait-io"); // its threads start with their first task
        filters.eventLoops(group);
        try {
            filters.prepare(config); // a configuration the filters refuse starts no threads
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        this.pools = new UpstreamPools(transport, threads);
        this.unrouted = metrics.forRoute("", "");
        this.accessLog = AccessLog.create(config.observability().accessLog(), metrics.accessLogDropCounter());
        this.tracing = Tracing.create(config.observability().tracing());
        ClusterManager clusters;
        try {
            clusters = ClusterManager.create(config.clusters(), config.zone(), group, null, certificates);
        } catch (RuntimeException e) { // a TLS file that became unreadable since the config was checked
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        this.snapshot = new Snapshot(config, clusters, metrics, filters);
        filters.committed(config);
        applyPoolSettings(snapshot);
        this.admin = new AdminServer(this);
        registerGauges();
    }

    /** Pool and health gauges read whatever snapshot is current at scrape time: nothing to redo on reload. */
    private void registerGauges() {
        metrics.upstreamConnections().register("pools", sink -> {
            for (var c : snapshot.clusters().all()) {
                for (Endpoint e : c.endpoints()) {
                    var p = pools.pool(e, c.config());
                    sink.sample(p.activeConnections(), c.name(), e.id(), "active");
                    sink.sample(p.idleConnections(), c.name(), e.id(), "idle");
                }
            }
        });
        metrics.upstreamPendingRequests().register("pools", sink -> {
            for (var c : snapshot.clusters().all()) {
                int pending = 0;
                for (Endpoint e : c.endpoints()) pending += pools.pool(e, c.config()).pendingRequests();
                sink.sample(pending, c.name());
            }
        });
        metrics.endpointHealthy().register("clusters", sink -> {
            for (var c : snapshot.clusters().all()) {
                for (Endpoint e : c.endpoints()) sink.sample(e.healthy() ? 1 : 0, c.name(), e.id());
            }
        });
        ResilienceMetrics.register(metrics, () -> snapshot.clusters());
    }

    /** Starts a proxy; {@code configFile} (nullable) is watched for changes and read again on reload. */
    public static ProxyServer start(StraitConfig config, Path configFile) throws InterruptedException {
        return start(config, configFile, FilterFactory.NONE);
    }

    /**
     * Starts a proxy whose listeners and routes also run {@code filters}' filters.
     *
     * @throws IllegalArgumentException when {@code filters} cannot serve the configuration
     */
    public static ProxyServer start(StraitConfig config, Path configFile, FilterFactory filters) throws InterruptedException {
        return start(config, configFile, filters, new CertificateSources());
    }

    /**
     * As {@link #start(StraitConfig, Path, FilterFactory)}, with certificate sources set by code for
     * some listeners and clusters (a control plane's), used in place of the files their tls sections name.
     */
    public static ProxyServer start(StraitConfig config, Path configFile, FilterFactory filters, CertificateSources certificates)
            throws InterruptedException {
        int threads = Integer.getInteger("strait.threads", Runtime.getRuntime().availableProcessors());
        ProxyServer s = new ProxyServer(config, configFile, threads, filters, certificates);
        try {
            s.snapshot.clusters().start();
            long drainMillis = config.drainTimeout().toMillis();
            for (ListenerConfig l : config.listeners()) {
                ListenerServer ls = new ListenerServer(l);
                ls.bind(s, s.group, s.transport, drainMillis, certificates.forListener(l.name()));
                s.listeners.add(ls);
            }
            s.admin.bind(config.admin().address(), s.group, s.transport);
            if (configFile != null) s.watcher = ConfigWatcher.start(configFile, () -> s.control.execute(s::reloadQuietly));
        } catch (RuntimeException | InterruptedException e) {
            s.close();
            throw e;
        }
        s.ready = true;
        log.info("strait ready ({}, {} event loop{}): {} listener(s), admin on {}", s.transport, threads,
                threads == 1 ? "" : "s", s.listeners.size(), config.admin().address());
        return s;
    }

    // ---------------------------------------------------------------- Engine

    @Override
    public UpstreamPools pools() {
        return pools;
    }

    @Override
    public ProxyMetrics metrics() {
        return metrics;
    }

    @Override
    public RouteMetrics unroutedMetrics() {
        return unrouted;
    }

    @Override
    public AccessLog accessLog() {
        return accessLog;
    }

    @Override
    public Tracing tracing() {
        return tracing;
    }

    @Override
    public Snapshot snapshot() {
        return snapshot;
    }

    public boolean ready() {
        return ready;
    }

    public Transport transport() {
        return transport;
    }

    /** The port a listener is bound to (useful with port 0 in tests). */
    public int port(String listenerName) {
        for (ListenerServer l : listeners) {
            if (l.config().name().equals(listenerName)) return l.port();
        }
        throw new IllegalArgumentException("no listener " + listenerName);
    }

    public int adminPort() {
        return admin.port();
    }

    // ---------------------------------------------------------------- reload

    /** The outcome of a reload: empty errors means the new configuration serves. */
    public record ReloadResult(boolean applied, List<String> errors) {}

    /** Reads the config file again; an invalid file leaves the running configuration untouched. */
    public synchronized ReloadResult reload() {
        if (configFile == null) return new ReloadResult(false, List.of("no configuration file to reload"));
        StraitConfig next;
        try {
            next = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            metrics.configReloaded(false);
            log.error("reload rejected, the running configuration stays:\n  {}", String.join("\n  ", e.errors()));
            return new ReloadResult(false, e.errors());
        }
        return apply(next);
    }

    /** {@link #reload()} on the control thread. */
    public CompletableFuture<ReloadResult> reloadAsync() {
        return CompletableFuture.supplyAsync(this::reload, control);
    }

    /** Swaps in a new, already valid configuration. */
    public synchronized ReloadResult apply(StraitConfig next) {
        Snapshot old = snapshot;
        List<String> warnings = listenerChanges(old.config(), next);
        ClusterManager clusters;
        try {
            filters.prepare(next);
            clusters = ClusterManager.create(next.clusters(), next.zone(), group, old.clusters(), certificates);
        } catch (RuntimeException e) {
            metrics.configReloaded(false);
            log.error("reload rejected: {}", e.getMessage());
            return new ReloadResult(false, List.of(e.getMessage()));
        }
        Snapshot fresh = new Snapshot(next, clusters, metrics, filters);
        applyPoolSettings(fresh);
        clusters.start();
        snapshot = fresh;
        old.clusters().close();
        filters.committed(next);
        metrics.configReloaded(true);
        for (String w : warnings) log.warn(w);
        log.info("configuration reloaded: {} route(s), {} cluster(s)", next.routes().size(), next.clusters().size());
        return new ReloadResult(true, warnings);
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            log.error("reload failed: {}", e.toString());
        }
    }

    private void applyPoolSettings(Snapshot s) {
        for (var c : s.clusters().all()) {
            ClusterConfig cc = c.config();
            for (Endpoint e : c.endpoints()) pools.configure(e, cc);
        }
    }

    private static List<String> listenerChanges(StraitConfig old, StraitConfig next) {
        List<String> warnings = new ArrayList<>();
        Map<String, ListenerConfig> before = new java.util.HashMap<>();
        old.listeners().forEach(l -> before.put(l.name(), l));
        for (ListenerConfig l : next.listeners()) {
            ListenerConfig prev = before.get(l.name());
            if (prev == null || !Objects.equals(prev.address(), l.address()) || !prev.protocols().equals(l.protocols())) {
                warnings.add("listener " + l.name() + ": address and protocol changes take effect after a restart");
            }
        }
        if (!Objects.equals(old.admin(), next.admin())) warnings.add("admin: address changes take effect after a restart");
        return warnings;
    }

    // ---------------------------------------------------------------- shutdown

    /** Stops accepting, lets requests in flight finish within the drain timeout, then closes everything. */
    public void shutdown() {
        ready = false;
        long deadline = System.nanoTime() + snapshot.config().drainTimeout().toNanos();
        for (ListenerServer l : listeners) l.stopAccepting();
        for (ListenerServer l : listeners) l.drain();
        while (System.nanoTime() < deadline && listeners.stream().anyMatch(l -> l.openConnections() > 0)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = listeners.stream().mapToInt(ListenerServer::openConnections).sum();
        close();
        log.info("strait stopped{}", left == 0 ? "" : " (" + left + " connection(s) still open at the drain deadline were closed)");
    }

    /** Stops everything at once; later calls (after {@link #shutdown()}, say) do nothing. */
    @Override
    public void close() {
        ready = false;
        if (!closed.compareAndSet(false, true)) return;
        if (watcher != null) watcher.close();
        for (ListenerServer l : listeners) {
            l.stopAccepting();
            l.closeAll();
        }
        admin.close();
        snapshot.clusters().close();
        pools.close();
        filters.close(); // before the loops stop: its connections (Redis) may live on them
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        accessLog.close();
        tracing.close();
        control.shutdownNow();
    }
}
