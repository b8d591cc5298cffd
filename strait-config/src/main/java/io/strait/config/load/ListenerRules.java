package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.MAX_HEADER_COUNT;
import static io.strait.config.load.ConfigLoader.MAX_XFF_TRUSTED_HOPS;
import static io.strait.config.load.ConfigLoader.MIN_HEADER_SIZE;
import static io.strait.config.load.ConfigLoader.MIN_REQUEST_LINE;

import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.ListenerConfig.Protocol;
import io.strait.config.model.TlsConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The model validator's rules for {@code listeners} and {@code admin}: addresses, limits, timeouts and the
 * settings of TLS (the certificate files themselves are read where they are used: by the reader for a
 * document, by the proxy's TLS setup for a model, whose certificates may come from a source set by code).
 */
final class ListenerRules {
    private static final Set<String> OLD_TLS_VERSIONS = Set.of("SSLv2", "SSLv3", "TLSv1", "TLSv1.0", "TLSv1.1");
    private static final List<String> TLS_VERSIONS = List.of(TlsConfig.TLS_1_2, TlsConfig.TLS_1_3);
    private static final List<String> ALPN_PROTOCOLS = List.of(TlsConfig.ALPN_H2, TlsConfig.ALPN_HTTP1);
    /** The largest TCP port. */
    static final int MAX_PORT = 65535;

    private final Check check;

    ListenerRules(Check check) {
        this.check = check;
    }

    /**
     * A bind address: a host a document could write and a port 0-65535 (0: any free port). Worded as the reader
     * words the same text ({@code 127.0.0.1:70000} is refused alike, whether written or built).
     */
    boolean address(String path, HostPort a) {
        if (!check.required(path, a)) return false;
        if (a.host() != null && a.port() >= 0 && a.port() <= MAX_PORT && HostPort.parse(a.toString()) != null) return true;
        check.error(path, "must be host:port, such as 127.0.0.1:8080 or [::1]:8080 (was '" + (a.host() == null ? "null:" + a.port() : a) + "')");
        return false;
    }

    void listeners(List<ListenerConfig> listeners) {
        if (listeners.isEmpty()) {
            check.error("listeners", "must have at least one listener (leave the section out for the default "
                    + ConfigLoader.DEFAULT_LISTENER + ")");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < listeners.size(); i++) {
            String p = "listeners[" + i + "]";
            ListenerConfig l = listeners.get(i);
            if (l == null) {
                check.error(p, "is required");
                continue;
            }
            if (check.required(p + ".name", l.name())) {
                check.name(p + ".name", l.name());
                if (!names.add(l.name())) check.error(p + ".name", "duplicate listener name '" + l.name() + "'");
            }
            address(p + ".address", l.address());
            if (check.required(p + ".protocols", l.protocols()) && l.protocols().isEmpty()) {
                check.error(p + ".protocols", "must name at least one protocol");
            }
            if (l.maxRequestLineLength() < MIN_REQUEST_LINE) {
                check.error(p + ".maxRequestLineLength", "must be at least " + MIN_REQUEST_LINE + " bytes");
            }
            if (l.maxHeaderSize() < MIN_HEADER_SIZE) check.error(p + ".maxHeaderSize", "must be at least 1KiB");
            check.range(p + ".maxHeaderCount", l.maxHeaderCount(), 1, MAX_HEADER_COUNT);
            check.atLeast(p + ".maxRequestBodySize", l.maxRequestBodySize(), 0);
            check.positive(p + ".requestHeadersTimeout", l.requestHeadersTimeout());
            check.notNegative(p + ".requestTimeout", l.requestTimeout());
            check.positive(p + ".idleTimeout", l.idleTimeout());
            check.range(p + ".xffTrustedHops", l.xffTrustedHops(), 0, MAX_XFF_TRUSTED_HOPS);
            if (check.required(p + ".paths", l.paths())) check.required(p + ".paths.encodedSlashes", l.paths().encodedSlashes());
            if (l.tls() != null) tls(p + ".tls", l.tls(), l.protocols() == null ? Set.of() : l.protocols());
            if (l.redirectToHttps() != null) {
                check.range(p + ".redirectToHttps.port", l.redirectToHttps().port(), 1, MAX_PORT);
                if (l.tls() != null) check.error(p + ".redirectToHttps", "is for plain listeners; this one already has tls");
            }
        }
    }

    /** A listener's (or the admin API's) TLS settings. */
    void tls(String p, TlsConfig tls, Set<Protocol> protocols) {
        if (check.required(p + ".certificates", tls.certificates()) && tls.certificates().isEmpty()) {
            check.error(p + ".certificates", "must list at least one {certFile, keyFile}");
        } else if (tls.certificates() != null) {
            for (int i = 0; i < tls.certificates().size(); i++) {
                TlsConfig.Certificate c = tls.certificates().get(i);
                String cp = p + ".certificates[" + i + "]";
                if (!check.required(cp, c)) continue;
                check.required(cp + ".certFile", c.certFile());
                check.required(cp + ".keyFile", c.keyFile());
            }
        }
        minVersion(p + ".minVersion", tls.minVersion());
        if (check.required(p + ".alpn", tls.alpn())) {
            Set<String> seen = new HashSet<>();
            for (String a : tls.alpn()) {
                if (!ALPN_PROTOCOLS.contains(a)) check.error(p + ".alpn", "unknown protocol '" + a + "'; expected h2, http/1.1");
                else if (!seen.add(a)) check.error(p + ".alpn", "'" + a + "' is listed twice");
            }
            if (tls.alpn().isEmpty()) {
                check.error(p + ".alpn", "must name at least one protocol (h2, http/1.1)");
            } else if (!protocols.isEmpty() && !(seen.contains(TlsConfig.ALPN_H2) && protocols.contains(Protocol.H2C)
                    || seen.contains(TlsConfig.ALPN_HTTP1) && protocols.contains(Protocol.HTTP1))) {
                check.error(p + ".alpn", "offers no protocol the listener's protocols allow (h2 needs h2c, http/1.1 needs http1)");
            }
        }
        if (check.required(p + ".clientAuth", tls.clientAuth()) && check.required(p + ".clientAuth.mode", tls.clientAuth().mode())
                && tls.clientAuth().mode() != TlsConfig.ClientAuth.Mode.NONE) {
            check.required(p + ".clientAuth.caFile", tls.clientAuth().caFile());
        }
        if (tls.hsts() != null) check.positive(p + ".hsts.maxAge", tls.hsts().maxAge());
        check.positive(p + ".reloadCheckInterval", tls.reloadCheckInterval());
    }

    /** {@code TLSv1.2} or {@code TLSv1.3}, worded as the readers word it. */
    void minVersion(String path, String v) {
        if (!check.required(path, v)) return;
        if (OLD_TLS_VERSIONS.contains(v)) {
            check.error(path, v + " is not allowed: versions before TLSv1.2 are broken; use TLSv1.2 or TLSv1.3");
        } else if (!TLS_VERSIONS.contains(v)) {
            check.error(path, "unknown value '" + v + "'; expected one of " + String.join(", ", TLS_VERSIONS));
        }
    }
}
