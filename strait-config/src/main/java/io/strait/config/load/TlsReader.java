package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.*;

import io.strait.config.model.ListenerConfig.Protocol;
import io.strait.config.model.RedirectToHttps;
import io.strait.config.model.TlsConfig;
import io.strait.config.model.TlsConfig.Certificate;
import io.strait.config.model.TlsConfig.ClientAuth;
import io.strait.config.tls.Pem;
import io.strait.config.tls.PemException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a listener's {@code tls} and {@code redirectToHttps} sections. Certificate, key and CA files are
 * read and checked here (they parse, the key matches its certificate), so {@code strait validate} finds a
 * broken file before a restart does; relative paths are resolved against the config file's directory.
 */
final class TlsReader {
    /** A DNS name, or a wildcard for one label ({@code *.example.com}); letters, digits and '-' per label. */
    static final Pattern SERVER_NAME = Pattern.compile(
            "(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", Pattern.CASE_INSENSITIVE);
    private static final List<String> ALPN_PROTOCOLS = List.of(TlsConfig.ALPN_H2, TlsConfig.ALPN_HTTP1);

    private final Path baseDir;

    TlsReader(Path baseDir) {
        this.baseDir = baseDir;
    }

    /** The listener's {@code tls} section, or null when it has none. */
    TlsConfig tls(Node listener, Set<Protocol> protocols) {
        Node n = listener.object("tls");
        if (n == null) return null;
        List<Certificate> certs = certificates(n);
        String min = minVersion(n);
        List<String> alpn = alpn(n, protocols);
        ClientAuth clientAuth = clientAuth(n.object("clientAuth"));
        TlsConfig.Hsts hsts = hsts(n.object("hsts"));
        Duration reload = ConfigReader.positive(n, "reloadCheckInterval", DEFAULT_TLS_RELOAD_CHECK_INTERVAL);
        boolean plaintext = n.bool("allowPlaintext", false);
        n.finish();
        return new TlsConfig(certs, min, alpn, clientAuth, hsts, reload, plaintext);
    }

    /** The listener's {@code redirectToHttps} section, or null. */
    static RedirectToHttps redirect(Node listener, boolean tls) {
        Node n = listener.object("redirectToHttps");
        if (n == null) return null;
        int port = n.integer("port", DEFAULT_HTTPS_REDIRECT_PORT, 1, 65535);
        n.finish();
        if (tls) listener.error("redirectToHttps", "is for plain listeners; this one already has tls");
        return new RedirectToHttps(port);
    }

    private List<Certificate> certificates(Node tls) {
        List<Certificate> out = new ArrayList<>();
        if (!tls.has("certificates")) {
            tls.error("certificates", "is required: at least one {certFile, keyFile}");
            return out;
        }
        int before = tls.errors().size();
        List<Node> nodes = tls.objects("certificates");
        if (nodes.isEmpty() && tls.errors().size() == before) tls.error("certificates", "must list at least one {certFile, keyFile}");
        for (int i = 0; i < nodes.size(); i++) {
            Node c = nodes.get(i);
            Path certFile = path(c, "certFile");
            Path keyFile = path(c, "keyFile");
            List<String> names = serverNames(c);
            c.finish();
            X509Certificate leaf = null;
            if (certFile != null) {
                List<X509Certificate> chain = certs(c, "certFile", certFile);
                if (chain != null) leaf = chain.get(0);
            }
            if (keyFile != null) {
                PrivateKey key = key(c, "keyFile", keyFile);
                if (key != null && leaf != null && !Pem.matches(key, leaf)) {
                    c.error("keyFile", "'" + c.string("keyFile", "") + "' is not the key of the certificate in '"
                            + c.string("certFile", "") + "'");
                }
            }
            if (leaf != null && names.isEmpty() && i > 0 && Pem.dnsNames(leaf).isEmpty()) {
                c.error("serverNames", "the certificate has no DNS names (subjectAltName): list the names it serves");
            }
            if (certFile != null && keyFile != null) out.add(new Certificate(certFile, keyFile, names));
        }
        return out;
    }

    private static List<String> serverNames(Node c) {
        List<String> names = c.strings("serverNames");
        for (String s : names) {
            if (!SERVER_NAME.matcher(s).matches()) {
                c.error("serverNames", "'" + s + "' is not a DNS name or a wildcard like *.example.com");
            }
        }
        return List.copyOf(names);
    }

    Path path(Node n, String field) {
        String s = n.requiredString(field);
        if (s == null) return null;
        if (s.isBlank()) {
            n.error(field, "must not be empty");
            return null;
        }
        try {
            return baseDir.resolve(s).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            n.error(field, "'" + s + "' is not a valid path");
            return null;
        }
    }

    static List<X509Certificate> certs(Node n, String field, Path file) {
        return pem(n, field, file, Pem::certificates, "' ");
    }

    static PrivateKey key(Node n, String field, Path file) {
        return pem(n, field, file, Pem::privateKey, "': ");
    }

    private interface PemParser<T> {
        T parse(byte[] bytes) throws PemException;
    }

    /** Reads a PEM file and parses it, reporting either failure at {@code field}; the bytes are wiped after. */
    private static <T> T pem(Node n, String field, Path file, PemParser<T> parser, String joint) {
        String shown = n.string(field, "");
        byte[] bytes;
        try {
            bytes = Pem.read(file);
        } catch (PemException e) {
            n.error(field, "cannot read '" + shown + "': " + e.getMessage());
            return null;
        }
        try {
            return parser.parse(bytes);
        } catch (PemException e) {
            n.error(field, "'" + shown + joint + e.getMessage());
            return null;
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0); // key material does not linger in the heap
        }
    }

    static String minVersion(Node n) {
        String v = n.string("minVersion", DEFAULT_TLS_MIN_VERSION);
        int before = n.errors().size();
        new ListenerRules(new Check(n.errors())).minVersion(n.path("minVersion"), v); // the validator's rule
        return n.errors().size() == before ? v : DEFAULT_TLS_MIN_VERSION;
    }

    private static List<String> alpn(Node n, Set<Protocol> protocols) {
        if (!n.present("alpn")) return DEFAULT_ALPN;
        int before = n.errors().size();
        Set<String> out = new LinkedHashSet<>();
        for (String p : n.strings("alpn")) {
            if (!ALPN_PROTOCOLS.contains(p)) n.error("alpn", "unknown protocol '" + p + "'; expected h2, http/1.1");
            else if (!out.add(p)) n.error("alpn", "'" + p + "' is listed twice");
        }
        if (n.errors().size() != before) return DEFAULT_ALPN;
        if (out.isEmpty()) {
            n.error("alpn", "must name at least one protocol (h2, http/1.1)");
            return DEFAULT_ALPN;
        }
        boolean usable = out.contains(TlsConfig.ALPN_H2) && protocols.contains(Protocol.H2C)
                || out.contains(TlsConfig.ALPN_HTTP1) && protocols.contains(Protocol.HTTP1);
        if (!usable) n.error("alpn", "offers no protocol the listener's protocols allow (h2 needs h2c, http/1.1 needs http1)");
        return List.copyOf(out);
    }

    private ClientAuth clientAuth(Node n) {
        if (n == null) return ClientAuth.NONE;
        if (!n.has("mode")) n.error("mode", "is required: none, optional or require");
        ClientAuth.Mode mode = n.enumValue("mode", ClientAuth.Mode.class, ClientAuth.Mode.NONE,
                s -> Names.parse(ClientAuth.Mode.class, s));
        Path ca = null;
        if (mode != ClientAuth.Mode.NONE || n.has("caFile")) {
            ca = path(n, "caFile");
            if (ca != null) certs(n, "caFile", ca);
        }
        n.finish();
        return new ClientAuth(mode, ca);
    }

    private static TlsConfig.Hsts hsts(Node n) {
        if (n == null) return null;
        Duration maxAge = ConfigReader.positive(n, "maxAge", DEFAULT_HSTS_MAX_AGE);
        boolean sub = n.bool("includeSubDomains", false);
        n.finish();
        return new TlsConfig.Hsts(maxAge, sub);
    }
}
