package io.strait.proxy.runtime;

import io.strait.proxy.transport.Transport;

import io.netty.channel.EventLoopGroup;
import io.strait.config.load.ConfigValidator;
import io.strait.config.load.ConfigWarnings;
import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.admin.AdminServer;
import io.strait.proxy.admin.AdminTarget;
import io.strait.proxy.core.ApplyResult;
import io.strait.proxy.core.ConfigFormat;
import io.strait.proxy.client.EngineClusterClient;
import io.strait.proxy.core.Engine;
import io.strait.proxy.core.Snapshot;
import io.strait.proxy.cluster.ClusterManager;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.endpoint.UpstreamPools;
import io.strait.proxy.cluster.ResilienceMetrics;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.listener.ListenerServer;
import io.strait.proxy.observe.AccessLog;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.observe.RouteMetrics;
import io.strait.proxy.observe.Tracing;
import io.strait.proxy.observe.trace.RecentTraces;
import io.strait.proxy.observe.trace.SpanSinks;
import io.strait.proxy.tls.CertificateSources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
public final class ProxyServer implements Engine, AdminTarget, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);
    /** After a swap, the previous access log and tracing are closed this much later: exchanges that read them just before finish first. */
    private static final long OBSERVER_SWAP_GRACE_MILLIS = 1000;

    private final Path configFile;
    private final Transport transport;
    private final EventLoopGroup group;
    private final UpstreamPools pools;
    private final ProxyMetrics metrics;
    private final RouteMetrics unrouted;
    /** Replaced (never mutated) when a configuration changes its settings; read once per exchange. */
    private volatile AccessLog accessLog;
    private volatile Tracing tracing;
    /** The last traces, kept across reloads (a reload may resize them), for {@code GET /traces}. */
    private final RecentTraces recentTraces;
    /** Where every generation's spans go besides OTLP: the recent traces, and what code adds (a mesh agent). */
    private final SpanSinks spanSinks = new SpanSinks();
    private final Listeners listeners;
    /** Access logs and tracing a reload replaced, closed a moment later (or at shutdown, whichever comes first). */
    private final java.util.Set<AutoCloseable> closingLater = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Reloads, file watching and other blocking control work: never on an event loop. */
    private final ExecutorService control = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "strait-control");
        t.setDaemon(true);
        return t;
    });
    private final AdminServer admin;
    private final FilterModule filters;
    /** Certificate sources set by code for named listeners and clusters (in place of their files). */
    private final CertificateSources certificates;
    /** What the process adds to every configuration before it is checked (a mesh gateway's pushed endpoints). */
    private final ConfigCompletion completion;
    private volatile Snapshot snapshot;
    /** How filters call clusters of the current snapshot (aggregation, GraphQL). */
    private final EngineClusterClient client;
    private volatile boolean ready;
    private final AtomicBoolean closed = new AtomicBoolean();
    private ConfigWatcher watcher;

    private ProxyServer(StraitConfig config, Path configFile, int threads, FilterModule filters,
            CertificateSources certificates, ConfigCompletion completion) {
        this.configFile = configFile;
        this.filters = filters;
        this.certificates = certificates;
        this.completion = completion;
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
        this.client = new EngineClusterClient(this, group); // reads the snapshot and pools at call time only
        ClusterManager clusters = null;
        try {
            // a TLS file that became unreadable since the config was checked, a filter the module cannot build
            clusters = ClusterManager.create(config.clusters(), config.zone(), group, null, certificates);
            this.snapshot = new Snapshot(config, 1, clusters, metrics, filters, client);
        } catch (RuntimeException e) {
            if (clusters != null) clusters.close();
            filters.close();
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        this.pools = new UpstreamPools(transport, threads);
        this.unrouted = metrics.forRoute("", "");
        this.accessLog = AccessLog.create(config.observability().accessLog(), metrics.accessLogDropCounter());
        this.recentTraces = new RecentTraces(config.observability().tracing().recentTraces());
        spanSinks.add(recentTraces);
        this.tracing = Tracing.create(config.observability().tracing(), System.getenv(), spanSinks);
        if (tracing.exporting()) log.info("tracing: exporting spans to {}", tracing.exportEndpoint());
        filters.committed(config);
        applyPoolSettings(snapshot);
        this.listeners = new Listeners(this, group, transport, certificates);
        this.admin = new AdminServer(this);
        EngineGauges.register(metrics, pools, () -> snapshot);
    }

    /** Starts a proxy; {@code configFile} (nullable) is watched for changes and read again on reload. */
    public static ProxyServer start(StraitConfig config, Path configFile) throws InterruptedException {
        return start(config, configFile, FilterModule.NONE);
    }

    /**
     * Starts a proxy whose listeners and routes also run {@code filters}' filters.
     *
     * @throws IllegalArgumentException when {@code filters} cannot serve the configuration, or it has errors
     *     ({@link ConfigValidator}: the one validation pass, which a model built by code gets as a read one does)
     */
    public static ProxyServer start(StraitConfig config, Path configFile, FilterModule filters) throws InterruptedException {
        return start(config, configFile, filters, new CertificateSources());
    }

    /**
     * As {@link #start(StraitConfig, Path, FilterModule)}, with certificate sources set by code for
     * some listeners and clusters (a control plane's), used in place of the files their tls sections name.
     */
    public static ProxyServer start(StraitConfig config, Path configFile, FilterModule filters, CertificateSources certificates)
            throws InterruptedException {
        return start(config, configFile, filters, certificates, ConfigCompletion.NONE);
    }

    /**
     * As {@link #start(StraitConfig, Path, FilterModule, CertificateSources)}, with what the process adds to this and
     * every later configuration before it is checked ({@code completion}: a mesh gateway's pushed endpoints and TLS).
     *
     * @throws IllegalArgumentException also when {@code completion} refuses the configuration
     */
    public static ProxyServer start(StraitConfig config, Path configFile, FilterModule filters, CertificateSources certificates,
            ConfigCompletion completion) throws InterruptedException {
        config = completion.complete(config);
        List<String> errors = ConfigValidator.validate(config, filters.catalog());
        if (!errors.isEmpty()) throw new IllegalArgumentException(String.join("; ", errors));
        logWarnings(ConfigWarnings.of(config));
        int threads = Integer.getInteger("strait.threads", Runtime.getRuntime().availableProcessors());
        ProxyServer s = new ProxyServer(config, configFile, threads, filters, certificates, completion);
        try {
            s.snapshot.clusters().start();
            s.listeners.start(config);
            s.admin.bind(config.admin(), s.group, s.transport);
            s.admin.warnIfWritesRefused(config.admin());
            if (configFile != null) {
                s.watcher = ConfigWatcher.start(configFile, config.references().files(), () -> s.control.execute(s::reloadQuietly));
            }
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

    /** The last traces this process recorded ({@code GET /traces}). */
    @Override
    public RecentTraces recentTraces() {
        return recentTraces;
    }

    /**
     * Reopens the access log file by its name (logrotate's {@code postrotate}, {@code SIGUSR1}); completes with
     * the answer of {@code POST /logs/reopen}.
     */
    @Override
    public java.util.concurrent.CompletableFuture<String> reopenLogsAsync() {
        AccessLog log = accessLog;
        return log.reopen().thenApply(done -> "{\"status\":\"" + (done ? "reopened" : "nothing_to_reopen")
                + "\",\"accessLog\":\"" + log.target().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}\n");
    }

    /** Where spans go besides OTLP: add a sink to send this process's spans elsewhere (a mesh's control plane). */
    public SpanSinks spanSinks() {
        return spanSinks;
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
        ListenerServer l = listeners.get(listenerName);
        if (l == null) throw new IllegalArgumentException("no listener " + listenerName);
        return l.port();
    }

    public int adminPort() {
        return admin.port();
    }

    // ---------------------------------------------------------------- reload

    /** Reads the config file again; an invalid file leaves the running configuration untouched. */
    public synchronized ApplyResult reload() {
        if (configFile == null) return refused(List.of("no configuration file to reload"));
        try {
            StraitConfig next = ConfigLoader.load(configFile, filters.catalog());
            ApplyResult r = apply(next);
            // the files its ${file:...} references read are watched as the file is (not those of a PUT /config)
            if (r.applied() && watcher != null) watcher.watchAlso(next.references().files());
            return r;
        } catch (ConfigException e) {
            return refused(e.errors());
        }
    }

    /** {@link #reload()} on the control thread. */
    @Override
    public CompletableFuture<ApplyResult> reloadAsync() {
        return CompletableFuture.supplyAsync(this::reload, control);
    }

    /**
     * Parses, validates and applies a whole configuration document, as the config file would be; relative
     * paths in it resolve against the config file's directory (the working directory without one).
     */
    public synchronized ApplyResult applyDocument(String text, ConfigFormat format, String source) {
        Path dir = configFile == null ? null : configFile.toAbsolutePath().getParent();
        Path base = dir != null ? dir : Path.of("").toAbsolutePath();
        try {
            return apply(format == ConfigFormat.JSON ? ConfigLoader.parseJson(text, source, base, filters.catalog())
                    : ConfigLoader.parse(text, source, base, filters.catalog()));
        } catch (ConfigException e) {
            return refused(e.errors());
        }
    }

    /** {@link #applyDocument} on the control thread: parsing, file reads and binding never run on an event loop. */
    @Override
    public CompletableFuture<ApplyResult> applyDocumentAsync(String text, ConfigFormat format, String source) {
        return CompletableFuture.supplyAsync(() -> applyDocument(text, format, source), control);
    }

    /**
     * Applies a configuration built by code (a control plane's push) or read from a source: it is checked
     * ({@link ConfigValidator}: the one validation pass, the same for a document and a model built by code), then
     * everything it needs is built and
     * bound (filters, clusters, new listeners, access log, tracing) before it is swapped in at once. When
     * any of that fails nothing changes and the result lists every error. Blocking: not on an event loop.
     */
    public synchronized ApplyResult apply(StraitConfig next) {
        if (closed.get()) return refused(List.of("the proxy is shut down"));
        try {
            next = completion.complete(next);
        } catch (RuntimeException e) { // a refusal (IllegalArgumentException), or a completion that failed: never thrown on
            return refused(List.of(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        List<String> errors = new ArrayList<>(ConfigValidator.validate(next, filters.catalog()));
        if (!errors.isEmpty()) return refused(errors);
        List<String> warnings = ConfigWarnings.of(next);
        Snapshot old = snapshot;
        ClusterManager clusters = null;
        Observers observers = null;
        AdminServer.Move adminMove = null;
        Listeners.Change change = null;
        Snapshot fresh = null;
        try {
            filters.prepare(next);
            clusters = ClusterManager.create(next.clusters(), next.zone(), group, old.clusters(), certificates);
            fresh = new Snapshot(next, old.generation() + 1, clusters, metrics, filters, client);
            observers = Observers.next(old.config(), next, accessLog, tracing, metrics, spanSinks, errors);
            if (errors.isEmpty()) adminMove = moveAdmin(old.config(), next, errors);
            if (errors.isEmpty()) change = listeners.prepare(next);
        } catch (Listeners.Refused e) {
            errors.addAll(e.errors());
        } catch (Exception e) { // a filter's or a cluster's refusal, or a checked exception Netty rethrows unchecked
            errors.add(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        if (!errors.isEmpty() || change == null) {
            if (clusters != null) clusters.close();
            if (observers != null) observers.discardNew(accessLog, tracing);
            if (adminMove != null) adminMove.rollback();
            // filters: what prepare() built for the refused configuration is dropped by the next prepare()
            return refused(errors);
        }
        applyPoolSettings(fresh);
        clusters.start();
        AccessLog oldLog = accessLog;
        Tracing oldTracing = tracing;
        accessLog = observers.accessLog();
        tracing = observers.tracing();
        recentTraces.capacity(next.observability().tracing().recentTraces());
        snapshot = fresh;
        List<ListenerServer> retired = change.commit();
        if (adminMove != null) {
            adminMove.commit();
            admin.warnIfWritesRefused(next.admin());
        }
        old.clusters().close();
        filters.committed(next);
        metrics.configReloaded(true);
        retireLater(retired, oldLog == accessLog ? null : oldLog, oldTracing == tracing ? null : oldTracing,
                next.drainTimeout());
        log.info("configuration generation {} applied: {} listener(s), {} route(s), {} cluster(s){}{}", fresh.generation(),
                next.listeners().size(), next.routes().size(), next.clusters().size(),
                change.retiredNames().isEmpty() ? "" : "; listener(s) draining: " + change.retiredNames(),
                adminMove == null ? "" : "; admin API now on " + next.admin().address());
        logWarnings(warnings);
        return new ApplyResult(true, fresh.generation(), next, List.of(), warnings);
    }

    /** Findings of a configuration that applied ({@link ConfigWarnings}): logged from every source, file reloads included. */
    private static void logWarnings(List<String> warnings) {
        if (!warnings.isEmpty()) log.warn("configuration applied with {} warning(s):\n  {}", warnings.size(), String.join("\n  ", warnings));
    }

    /** Binds the admin API anew when its address or TLS on/off changed (null when not, or when it failed: then an error). */
    private AdminServer.Move moveAdmin(StraitConfig old, StraitConfig next, List<String> errors) {
        if (!AdminServer.needsMove(old.admin(), next.admin())) return null;
        try {
            return admin.move(next.admin());
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            String m = e instanceof io.strait.proxy.listener.CannotBind c ? c.problem()
                    : e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            String tlsPrefix = "listener admin: tls."; // the TLS terminator's words for certificates that fail to load
            errors.add(e instanceof IllegalStateException && m.startsWith(tlsPrefix) ? "admin.tls." + m.substring(tlsPrefix.length())
                    : "admin.address: cannot bind " + next.admin().address() + ": " + m);
            return null;
        }
    }

    /**
     * Replaces the endpoints of a running cluster (a control plane's push, or another endpoint source)
     * without rebuilding it: kept endpoints keep their health, ejection and circuit-breaker state and their
     * connections. They last until the next configuration is applied, which sets the endpoints it names.
     *
     * @throws IllegalArgumentException when the running configuration has no such cluster
     */
    public synchronized void setEndpoints(String cluster, List<io.strait.config.model.EndpointConfig> endpoints) {
        Snapshot s = snapshot;
        var c = s.clusters().get(cluster);
        if (c == null) throw new IllegalArgumentException("no cluster '" + cluster + "' in generation " + s.generation());
        c.replaceEndpoints(endpoints);
        for (Endpoint e : c.endpoints()) pools.configure(e, c.config());
    }

    /**
     * Completes the running configuration again ({@link ConfigCompletion}: what it adds changed, such as a mesh's
     * pushed endpoints): when only clusters' endpoints differ they are replaced in place ({@link #setEndpoints}),
     * otherwise the completed configuration is applied as a new generation. Blocking: not on an event loop.
     */
    public synchronized ApplyResult refresh() {
        Snapshot s = snapshot;
        if (closed.get()) return new ApplyResult(false, s.generation(), s.config(), List.of("the proxy is shut down"), List.of());
        StraitConfig next;
        try {
            next = completion.complete(s.config());
        } catch (RuntimeException e) {
            return refused(List.of(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        var endpoints = ConfigCompletion.endpointsOnly(s.config(), next);
        if (endpoints == null) return apply(next);
        endpoints.forEach(this::setEndpoints);
        return new ApplyResult(true, s.generation(), s.config(), List.of(), List.of());
    }

    private ApplyResult refused(List<String> errors) {
        metrics.configReloaded(false);
        log.error("configuration refused, the running one stays:\n  {}", String.join("\n  ", errors));
        Snapshot s = snapshot;
        return new ApplyResult(false, s.generation(), s.config(), List.copyOf(errors), List.of());
    }

    /**
     * After a swap: retired listeners' connections get until the drain timeout, then are closed; the previous
     * access log and tracing are closed a moment later, once no exchange still holds them.
     */
    private void retireLater(List<ListenerServer> retired, AccessLog oldLog, Tracing oldTracing, java.time.Duration drain) {
        if (!retired.isEmpty()) {
            CompletableFuture.delayedExecutor(drain.toMillis(), TimeUnit.MILLISECONDS, control).execute(() -> {
                for (ListenerServer l : retired) {
                    l.closeAll();
                    listeners.forget(l);
                }
            });
        }
        List<AutoCloseable> replaced = new ArrayList<>();
        if (oldLog != null) replaced.add(oldLog);
        if (oldTracing != null) replaced.add(oldTracing);
        closingLater.addAll(replaced);
        if (!replaced.isEmpty()) {
            CompletableFuture.delayedExecutor(OBSERVER_SWAP_GRACE_MILLIS, TimeUnit.MILLISECONDS, control).execute(() -> {
                for (AutoCloseable c : replaced) {
                    if (closingLater.remove(c)) closeQuietly(c);
                }
            });
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
        }
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

    // ---------------------------------------------------------------- shutdown

    /** Stops accepting, lets requests in flight finish within the drain timeout, then closes everything. */
    public void shutdown() {
        ready = false;
        long deadline = System.nanoTime() + snapshot.config().drainTimeout().toNanos();
        var all = listeners.stopAll();
        for (ListenerServer l : all) l.drain();
        while (System.nanoTime() < deadline && all.stream().anyMatch(l -> l.openConnections() > 0)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = all.stream().mapToInt(ListenerServer::openConnections).sum();
        close();
        log.info("strait stopped{}", left == 0 ? "" : " (" + left + " connection(s) still open at the drain deadline were closed)");
    }

    /** Stops everything at once; later calls (after {@link #shutdown()}, say) do nothing. */
    @Override
    public void close() {
        ready = false;
        if (!closed.compareAndSet(false, true)) return;
        if (watcher != null) watcher.close();
        for (ListenerServer l : listeners.stopAll()) l.closeAll();
        admin.close();
        snapshot.clusters().close();
        pools.close();
        filters.close(); // before the loops stop: its connections (Redis) may live on them
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        accessLog.close();
        tracing.close();
        for (AutoCloseable c : closingLater) closeQuietly(c); // replaced by a reload a moment ago
        closingLater.clear();
        control.shutdownNow();
    }
}
