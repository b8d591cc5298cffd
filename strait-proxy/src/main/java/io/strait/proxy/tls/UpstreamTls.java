package io.strait.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.strait.config.model.ClusterConfig.UpstreamProtocol;
import io.strait.config.model.TlsConfig;
import io.strait.config.model.UpstreamTlsConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS from the proxy to one cluster's endpoints: client {@link SslContext}s built from the cluster's
 * {@code tls} settings and its {@link CertificateSource}, rebuilt (off the event loops) whenever the
 * source changes, so new connections use the new material while open ones keep their session. Each
 * connection gets an {@link SslHandler} with the SNI name and the names its certificate must carry;
 * the pools wait for {@link #whenReady} before they send. Sessions are resumed (the contexts' client
 * session cache, keyed by peer name and port). ALPN follows the cluster's protocol: {@code http/1.1}
 * for {@code http1}, {@code h2} for {@code h2}; health checks always offer {@code http/1.1}.
 *
 * <p>One instance serves successive config generations of a cluster while its settings stay the same
 * (reference counted: {@link #retain()}, {@link #close()}).
 */
public final class UpstreamTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpstreamTls.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final String cluster;
    private final UpstreamTlsConfig config;
    private final UpstreamProtocol protocol;
    private final CertificateSource source;
    /** The source set by code for this cluster, or null when the files are ours to watch. */
    private final CertificateSource codeSource;
    private final AutoCloseable subscription;
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile Contexts contexts;

    /** The context for requests (ALPN by the protocol) and the one for health checks (ALPN http/1.1). */
    private record Contexts(SslContext requests, SslContext probes) {}

    private UpstreamTls(String cluster, UpstreamTlsConfig config, UpstreamProtocol protocol, CertificateSource source,
            CertificateSource codeSource) throws TlsException {
        this.cluster = cluster;
        this.config = config;
        this.protocol = protocol;
        this.source = source;
        this.codeSource = codeSource;
        this.contexts = build(source.current());
        this.subscription = source.subscribe(this::rebuild);
    }

    /**
     * TLS for a cluster; reads its files now (never call it on an event loop).
     *
     * @param codeSource the cluster's source set by code, or null for the files of its {@code tls} section
     * @throws IllegalArgumentException naming the field and the file when a file cannot be used
     */
    public static UpstreamTls create(String cluster, UpstreamTlsConfig config, UpstreamProtocol protocol,
            CertificateSource codeSource) {
        String where = "clusters." + cluster + ".tls";
        FileCertificateSource files = null;
        try {
            CertificateSource source = codeSource;
            if (source == null) {
                files = new FileCertificateSource(where, config.certFile(), config.keyFile(), config.caFile());
                source = files.watch(config.reloadCheckInterval());
            }
            UpstreamTls tls = new UpstreamTls(cluster, config, protocol, source, codeSource);
            log.info("cluster {}: TLS by {}, SNI {}, verifying {}, {}, trusting {}", cluster, TlsContexts.providerName(),
                    config.sni() == null ? "the endpoint's host name" : config.sni(),
                    config.verifySubjectAltName().isEmpty() ? "the SNI name" : config.verifySubjectAltName(),
                    source.current().hasCertificate() ? "client certificate" : "no client certificate",
                    tls.trustName());
            return tls;
        } catch (TlsException e) {
            if (files != null) files.close();
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** Whether this instance serves {@code config} as well (same settings and source): then it is kept on reload. */
    public boolean serves(UpstreamTlsConfig config, UpstreamProtocol protocol, CertificateSource codeSource) {
        return this.config.equals(config) && this.protocol == protocol && this.codeSource == codeSource && refs.get() > 0;
    }

    /** One more owner (the next config generation's cluster); returns this. */
    public UpstreamTls retain() {
        refs.incrementAndGet();
        return this;
    }

    /** Distinguishes the connection pools of different TLS settings. */
    public long id() {
        return id;
    }

    public UpstreamTlsConfig config() {
        return config;
    }

    /** The SNI name for an endpoint resolved from {@code hostname} (null for an IP literal): the configured one, else that. */
    public String sni(String hostname) {
        return config.sni() != null ? config.sni() : hostname;
    }

    /**
     * A new connection's first handler.
     *
     * @param hostname the DNS name the endpoint was resolved from, or null
     * @param probe for a health check (ALPN http/1.1 whatever the cluster's protocol)
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String hostname, InetSocketAddress address, long handshakeTimeoutMillis,
            boolean probe) {
        Contexts c = contexts;
        String sni = sni(hostname);
        // the peer host keys the session cache and is the name checked when verifySubjectAltName is empty
        String peerHost = sni != null ? sni : address.getAddress().getHostAddress();
        SslHandler h = (probe ? c.probes() : c.requests()).newHandler(alloc, peerHost, address.getPort());
        SSLEngine engine = h.engine();
        SSLParameters params = engine.getSSLParameters();
        params.setServerNames(sni == null || !sniAllowed(sni) ? List.of() : List.of(new SNIHostName(sni)));
        engine.setSSLParameters(params);
        h.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return h;
    }

    /** A DNS name RFC 6066 allows as SNI (a configured name with an underscore, say, is still checked, just not sent). */
    private static boolean sniAllowed(String name) {
        try {
            new SNIHostName(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Completes when the connection can carry requests: its handshake done, the certificate checked and
     * (for {@code h2}) HTTP/2 agreed by ALPN; fails with an {@link UpstreamTlsException} saying why.
     */
    public Future<Channel> whenReady(Channel ch, String endpointId, String hostname, boolean probe) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        Promise<Channel> ready = ch.eventLoop().newPromise();
        String peer = "TLS to " + endpointId + (sni(hostname) == null ? "" : " (" + sni(hostname) + ")");
        ssl.handshakeFuture().addListener(f -> {
            if (!f.isSuccess()) {
                ready.tryFailure(new UpstreamTlsException(peer + ": " + reason(f.cause()), f.cause()));
            } else if (!probe && protocol.http2() && !TlsConfig.ALPN_H2.equals(ssl.applicationProtocol())) {
                ready.tryFailure(new UpstreamTlsException(peer + ": the server did not choose HTTP/2 by ALPN (it chose "
                        + Objects.requireNonNullElse(ssl.applicationProtocol(), "nothing") + "); use protocol: http1", null));
            } else {
                ready.trySuccess(ch);
            }
        });
        return ready;
    }

    private String reason(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SubjectAltNameCheck.Mismatch m) return m.getMessage();
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                return "the certificate is not trusted by " + trustName() + " (" + t.getMessage() + ")";
            }
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return "handshake failed: " + m;
    }

    private String trustName() {
        if (source.current().trustBundle().isEmpty()) return "the system trust store";
        if (codeSource == null) return "clusters." + cluster + ".tls.caFile '" + config.caFile() + "'";
        return source.describe();
    }

    /** The source changed: new contexts for new connections; a failure keeps the old ones. */
    private synchronized void rebuild() {
        try {
            contexts = build(source.current());
            log.info("cluster {}: TLS certificates changed ({}); new connections use them", cluster, source.describe());
        } catch (TlsException e) {
            log.error("cluster {}: TLS contexts not rebuilt, the previous ones stay: {}", cluster, e.getMessage());
        }
    }

    private Contexts build(CertificateMaterial m) throws TlsException {
        List<String> alpn = protocol == UpstreamProtocol.H2 ? List.of(TlsConfig.ALPN_H2) : List.of(TlsConfig.ALPN_HTTP1);
        SslContext requests = context(m, alpn);
        SslContext probes = protocol == UpstreamProtocol.H2 ? context(m, List.of(TlsConfig.ALPN_HTTP1)) : requests;
        return new Contexts(requests, probes);
    }

    private SslContext context(CertificateMaterial m, List<String> alpn) throws TlsException {
        String where = "clusters." + cluster + ".tls";
        try {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .sslProvider(TlsContexts.provider())
                    .protocols(TlsConfig.TLS_1_3.equals(config.minVersion()) ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"})
                    .ciphers(TlsContexts.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    // names are checked by SubjectAltNameCheck (DNS and URI SANs), not by the JDK's HTTPS rules
                    .endpointIdentificationAlgorithm(null)
                    .trustManager(checked(new SubjectAltNameCheck(trust(m.trustBundle()), config.verifySubjectAltName())))
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            alpn));
            if (m.hasCertificate()) {
                b.keyManager(m.privateKey(), m.chain().toArray(X509Certificate[]::new)).keyStoreType(TlsContexts.IN_MEMORY_KEY_STORE);
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsException(where + ": cannot build a TLS context: " + e.getMessage());
        }
    }

    /** The source's further check of server certificates after the names, when it has one. */
    private X509ExtendedTrustManager checked(X509ExtendedTrustManager tm) {
        PeerCertificateCheck check = source.peerCheck();
        return check == null ? tm : new CheckedTrustManager(tm, check);
    }

    /** The JDK's PKIX trust manager over {@code bundle}, or over the system trust store when it is empty. */
    private static X509ExtendedTrustManager trust(List<X509Certificate> bundle) throws TlsException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (bundle.isEmpty()) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                for (int i = 0; i < bundle.size(); i++) ks.setCertificateEntry("ca" + i, bundle.get(i));
                tmf.init(ks);
            }
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) return x;
            }
            throw new TlsException("no X.509 trust manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsException("cannot load the trusted certificates: " + e.getMessage());
        }
    }

    /** Gives up one owner; the last one stops watching the files. */
    @Override
    public void close() {
        if (refs.decrementAndGet() != 0) return;
        try {
            subscription.close();
        } catch (Exception e) {
            // a subscription handle only removes a listener
        }
        if (codeSource == null && source instanceof FileCertificateSource f) f.close();
    }
}
