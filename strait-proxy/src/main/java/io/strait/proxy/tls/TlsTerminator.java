package io.strait.proxy.tls;

import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.TlsConfig;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS listener's certificates. Each new connection gets an {@link SniHandler} that picks the
 * certificate for the client's SNI name from the current {@link SniTable}. Every certificate and the
 * client CAs come from a {@link CertificateSource}: the files the config names (a {@link
 * FileCertificateSource} each, checked every {@code reloadCheckInterval} off the event loops), or for
 * the default certificate a source set by code. When a source changes, or the listener's tls settings
 * changed with a config reload (checked on this listener's own thread), a new table is built and
 * swapped in: new handshakes get the new certificates, open connections keep theirs. A table that
 * fails to build leaves the old one serving.
 */
public final class TlsTerminator implements Mapping<String, SslContext>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TlsTerminator.class);

    private final String listener;
    private final Supplier<ListenerConfig> current;
    private final ScheduledExecutorService checker;
    /** Material set by code for the default certificate, or null: the files alone. */
    private final CertificateSource code;
    private volatile SniTable table;
    // the rest is touched under this object's lock (source callbacks and the checker thread)
    private TlsConfig config;
    /** The ALPN protocols offered with {@link #config}. */
    private List<String> alpn;
    private Sources sources;
    /** The settings of the last failed change after a config reload: retried at every check, reported once. */
    private TlsConfig failedConfig;
    private boolean closed;

    /** The sources of one tls configuration: one per certificate, and the client CAs (or null). */
    private record Sources(List<CertificateSource> certificates, CertificateSource clientCas, List<FileCertificateSource> owned,
            List<AutoCloseable> subscriptions) {
        void close() {
            for (AutoCloseable s : subscriptions) {
                try {
                    s.close();
                } catch (Exception e) {
                    // a subscription handle only removes a listener
                }
            }
            owned.forEach(FileCertificateSource::close);
        }
    }

    private TlsTerminator(ListenerConfig l, Supplier<ListenerConfig> current, CertificateSource code) {
        this.listener = l.name();
        this.current = current;
        this.code = code;
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strait-tls-" + l.name());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Loads the listener's certificates (startup: a failure stops the start) and starts watching them.
     * {@code current} gives the listener's settings of the current config generation.
     */
    public static TlsTerminator start(ListenerConfig l, Supplier<ListenerConfig> current) {
        return start(l, current, null);
    }

    /** As {@link #start(ListenerConfig, Supplier)}; {@code code} (nullable), set by code, gives the default certificate. */
    public static TlsTerminator start(ListenerConfig l, Supplier<ListenerConfig> current, CertificateSource code) {
        TlsTerminator t = new TlsTerminator(l, current, code);
        synchronized (t) {
            try {
                Sources s = t.open(l.tls());
                try {
                    t.table = t.build(l.tls(), alpn(l), s);
                } catch (TlsException e) {
                    s.close();
                    throw e;
                }
                t.sources = s;
                t.config = l.tls();
                t.alpn = alpn(l);
            } catch (TlsException e) {
                t.checker.shutdownNow();
                throw new IllegalStateException("listener " + l.name() + ": tls." + e.getMessage());
            }
        }
        log.info("listener {}: TLS by {}, {} certificate(s), {} and up, ALPN {}, client certificates {}{}", l.name(),
                TlsContexts.providerName(), l.tls().certificates().size(), l.tls().minVersion(), alpn(l),
                l.tls().clientAuth().mode().name().toLowerCase(java.util.Locale.ROOT),
                code == null ? "" : ", default certificate from " + code.describe());
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

    /** Checks the files and the settings now (tests call it rather than wait); on the caller's thread. */
    public void checkNow() {
        Sources s;
        synchronized (this) {
            s = sources;
        }
        for (FileCertificateSource f : s.owned()) f.check();
        checkConfig();
    }

    /** Sources for {@code c}'s files (read now, and watched), the default certificate's from code when set. */
    private Sources open(TlsConfig c) throws TlsException {
        String where = "listener " + listener + ": tls.";
        List<CertificateSource> certs = new ArrayList<>();
        List<FileCertificateSource> owned = new ArrayList<>();
        List<AutoCloseable> subscriptions = new ArrayList<>();
        try {
            for (int i = 0; i < c.certificates().size(); i++) {
                if (i == 0 && code != null) {
                    certs.add(code);
                    continue;
                }
                TlsConfig.Certificate cert = c.certificates().get(i);
                FileCertificateSource f = new FileCertificateSource(where + "certificates[" + i + "]", cert.certFile(), cert.keyFile(), null);
                owned.add(f);
                certs.add(f);
            }
            CertificateSource cas = null;
            // a source set by code that holds a trust bundle gives the client CAs: the caFile is not read then
            boolean casFromCode = code != null && !code.current().trustBundle().isEmpty();
            if (c.clientAuth().mode() != TlsConfig.ClientAuth.Mode.NONE && !casFromCode) {
                FileCertificateSource f = new FileCertificateSource(where + "clientAuth", null, null, c.clientAuth().caFile());
                owned.add(f);
                cas = f;
            }
            for (FileCertificateSource f : owned) f.watch(c.reloadCheckInterval());
            Sources s = new Sources(List.copyOf(certs), cas, owned, subscriptions);
            for (CertificateSource src : certs) subscriptions.add(src.subscribe(this::sourceChanged));
            if (cas != null) subscriptions.add(cas.subscribe(this::sourceChanged));
            return s;
        } catch (TlsException e) {
            owned.forEach(FileCertificateSource::close);
            throw new TlsException(e.getMessage().substring(Math.min(e.getMessage().length(),
                    e.getMessage().startsWith(where) ? where.length() : 0)));
        }
    }

    private SniTable build(TlsConfig c, List<String> protocols, Sources s) throws TlsException {
        List<CertificateMaterial> certs = s.certificates().stream().map(CertificateSource::current).toList();
        List<X509Certificate> cas = s.clientCas() == null ? List.of() : s.clientCas().current().trustBundle();
        // a source set by code that holds a trust bundle gives the client CAs too
        if (code != null && !code.current().trustBundle().isEmpty()) cas = code.current().trustBundle();
        return TlsContexts.build(c, protocols, certs, cas, code == null ? null : code.peerCheck());
    }

    /** A source changed (on its thread, never an event loop): a new table for new handshakes. */
    private synchronized void sourceChanged() {
        if (closed) return;
        try {
            table = build(config, alpn, sources);
            log.info("listener {}: TLS certificates changed; new connections use them", listener);
        } catch (TlsException e) {
            log.error("listener {}: TLS certificates not reloaded, the previous ones still serve: tls.{}", listener, e.getMessage());
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
        TlsConfig next = config;
        try {
            checkConfig();
            next = config;
        } catch (RuntimeException e) {
            log.error("listener {}: TLS settings check failed: {}", listener, e.toString());
        } finally {
            schedule(next);
        }
    }

    /** The listener's tls settings changed with a config reload: new sources (the new files) and a new table. */
    private synchronized void checkConfig() {
        if (closed) return;
        ListenerConfig l = current.get();
        // A listener a reload removed, or whose tls section went away, keeps serving what it has (until restart).
        if (l == null || l.tls() == null) return;
        TlsConfig next = l.tls();
        if (next.equals(config)) return;
        try {
            Sources fresh = open(next);
            SniTable t;
            try {
                t = build(next, alpn(l), fresh);
            } catch (TlsException e) {
                fresh.close();
                throw e;
            }
            Sources old = sources;
            table = t;
            sources = fresh;
            config = next;
            alpn = alpn(l);
            failedConfig = null;
            old.close();
            log.info("listener {}: TLS settings changed; new connections use them", listener);
        } catch (TlsException e) {
            // tried again at every check (the files may be fixed), reported once
            if (!next.equals(failedConfig)) {
                log.error("listener {}: TLS settings not applied, the previous ones still serve: tls.{}", listener, e.getMessage());
            }
            failedConfig = next;
        }
    }

    /** The settings now serving (tests). */
    synchronized TlsConfig config() {
        return Objects.requireNonNull(config);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (sources != null) sources.close();
        }
        checker.shutdownNow();
    }
}
