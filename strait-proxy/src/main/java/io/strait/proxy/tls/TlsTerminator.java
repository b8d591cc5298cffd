package io.strait.proxy.tls;

import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.TlsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS listener's certificates. Each new connection gets an {@link SniHandler} that picks the
 * certificate for the client's SNI name from the current {@link SniTable}. A background thread (never an
 * event loop) checks the files every {@code reloadCheckInterval} and, when they or the listener's tls
 * settings (after a config reload) changed, builds a new table and swaps it in: new handshakes get the
 * new certificates, open connections keep theirs. A table that fails to build leaves the old one serving.
 */
public final class TlsTerminator implements Mapping<String, SslContext>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TlsTerminator.class);

    private final String listener;
    private final Supplier<ListenerConfig> current;
    private final ScheduledExecutorService checker;
    /** Material set by code for the default certificate, or null: the files alone. */
    private final CertificateSource source;
    private final AutoCloseable subscription;
    /** Changes of {@link #source} so far, and how many of them the current table was built with. */
    private final java.util.concurrent.atomic.AtomicLong sourceChanges = new java.util.concurrent.atomic.AtomicLong();
    private long builtChanges;
    private volatile SniTable table;
    private TlsConfig config;
    private Map<Path, String> stamps;
    /** The settings and files of the last failed reload: reported once, not at every check. */
    private TlsConfig failedConfig;
    private Map<Path, String> failedStamps;

    private TlsTerminator(ListenerConfig l, Supplier<ListenerConfig> current, SniTable table, Map<Path, String> stamps,
            CertificateSource source) {
        this.listener = l.name();
        this.source = source;
        this.current = current;
        this.config = l.tls();
        this.table = table;
        this.stamps = stamps;
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strait-tls-" + l.name());
            t.setDaemon(true);
            return t;
        });
        // a change set by code is taken up before set() returns: the next handshake uses it
        this.subscription = source == null ? null : source.subscribe(() -> {
            sourceChanges.incrementAndGet();
            checkNow();
        });
    }

    /**
     * Loads the listener's certificates (startup: a failure stops the start) and starts watching them.
     * {@code current} gives the listener's settings of the current config generation.
     */
    public static TlsTerminator start(ListenerConfig l, Supplier<ListenerConfig> current) {
        return start(l, current, null);
    }

    /** As {@link #start(ListenerConfig, Supplier)}; {@code source} (nullable), set by code, gives the default certificate. */
    public static TlsTerminator start(ListenerConfig l, Supplier<ListenerConfig> current, CertificateSource source) {
        Map<Path, String> stamps = stamps(l.tls());
        SniTable table;
        try {
            table = TlsContexts.build(l.tls(), alpn(l), source == null ? null : source.current());
        } catch (TlsException e) {
            throw new IllegalStateException("listener " + l.name() + ": tls." + e.getMessage());
        }
        TlsTerminator t = new TlsTerminator(l, current, table, stamps, source);
        log.info("listener {}: TLS by {}, {} certificate(s), {} and up, ALPN {}, client certificates {}", l.name(),
                TlsContexts.providerName(), l.tls().certificates().size(), l.tls().minVersion(), alpn(l),
                l.tls().clientAuth().mode().name().toLowerCase(java.util.Locale.ROOT));
        t.schedule(l.tls());
        return t;
    }

    /** The ALPN protocols offered: the configured ones the listener's protocols allow. */
    static List<String> alpn(ListenerConfig l) {
        return l.tls().alpn().stream()
                .filter(p -> p.equals(TlsConfig.ALPN_H2) ? l.protocols().contains(ListenerConfig.Protocol.H2C)
                        : l.protocols().contains(ListenerConfig.Protocol.HTTP1))
                .toList();
    }

    /** A new connection's first handler; the handshake (ClientHello included) must end within {@code timeoutMillis}. */
    public SniHandler newHandler(long timeoutMillis) {
        return new SniHandler(this, timeoutMillis);
    }

    /** The context for an SNI name (null: none sent); called on event loops, so only a volatile read. */
    @Override
    public SslContext map(String hostname) {
        return table.lookup(hostname);
    }

    /** Checks for changes now (tests call it rather than wait); runs on the checker thread. */
    public void checkNow() {
        try {
            checker.submit(this::check).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void schedule(TlsConfig c) {
        if (checker.isShutdown()) return;
        try {
            checker.schedule(this::checkAndReschedule, c.reloadCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the listener closed meanwhile
        }
    }

    private void checkAndReschedule() {
        try {
            check();
        } catch (RuntimeException e) {
            log.error("listener {}: TLS certificate check failed: {}", listener, e.toString());
        } finally {
            schedule(config);
        }
    }

    private void check() {
        ListenerConfig l = current.get();
        // A listener a reload removed, or whose tls section went away, keeps serving what it has (until restart).
        if (l == null || l.tls() == null) return;
        TlsConfig next = l.tls();
        Map<Path, String> now = stamps(next);
        long changes = sourceChanges.get();
        if (next.equals(config) && now.equals(stamps) && changes == builtChanges) return;
        if (next.equals(failedConfig) && now.equals(failedStamps) && changes == builtChanges) return;
        try {
            SniTable fresh = TlsContexts.build(next, alpn(l), source == null ? null : source.current());
            table = fresh;
            builtChanges = changes;
            config = next;
            stamps = now;
            failedConfig = null;
            failedStamps = null;
            log.info("listener {}: TLS certificates reloaded; new connections use them", listener);
        } catch (TlsException e) {
            builtChanges = changes;
            failedConfig = next;
            failedStamps = now;
            log.error("listener {}: TLS certificates not reloaded, the previous ones still serve: tls.{}", listener, e.getMessage());
        }
    }

    /** A digest of each file's contents ("missing" when unreadable): cheap for PEM files, exact unlike mtimes. */
    private static Map<Path, String> stamps(TlsConfig c) {
        Map<Path, String> out = new LinkedHashMap<>();
        for (Path p : TlsContexts.files(c)) {
            String stamp;
            try {
                stamp = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
            } catch (IOException e) {
                stamp = "missing";
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            out.put(p, stamp);
        }
        return out;
    }

    /** The settings now serving (tests). */
    TlsConfig config() {
        return Objects.requireNonNull(config);
    }

    @Override
    public void close() {
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                // a subscription handle only removes a listener
            }
        }
        checker.shutdownNow();
    }
}
