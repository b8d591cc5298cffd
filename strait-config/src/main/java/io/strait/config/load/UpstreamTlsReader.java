package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.DEFAULT_TLS_RELOAD_CHECK_INTERVAL;

import io.strait.config.model.ClusterConfig.UpstreamProtocol;
import io.strait.config.model.UpstreamTlsConfig;
import io.strait.config.tls.Pem;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a cluster's {@code tls} section (TLS to its endpoints). As for listeners, the CA, certificate
 * and key files are read and checked here, so a missing file or a key that is not its certificate's
 * is an error naming its field; and the cluster's {@code protocol} must fit: {@code h2} needs TLS,
 * {@code h2c} is clear text only.
 */
final class UpstreamTlsReader {
    private final TlsReader files;

    UpstreamTlsReader(TlsReader files) {
        this.files = files;
    }

    /** The cluster's {@code tls} section, or null when it has none. */
    UpstreamTlsConfig read(Node cluster, UpstreamProtocol protocol) {
        Node n = cluster.object("tls");
        if (n == null) {
            if (protocol == UpstreamProtocol.H2 && !cluster.present("tls")) {
                cluster.error("protocol", "h2 is HTTP/2 over TLS: add a tls section, or use h2c for HTTP/2 in clear text");
            }
            return null;
        }
        if (protocol == UpstreamProtocol.H2C) {
            cluster.error("protocol", "h2c is HTTP/2 in clear text; over tls, HTTP/2 is protocol: h2");
        }
        String sni = sni(n);
        Path ca = n.has("caFile") ? files.path(n, "caFile") : null;
        if (ca != null) TlsReader.certs(n, "caFile", ca);
        Path cert = null;
        Path key = null;
        if (n.has("certFile") || n.has("keyFile")) {
            cert = files.path(n, "certFile");
            key = files.path(n, "keyFile");
            clientCertificate(n, cert, key);
        }
        List<String> sans = subjectAltNames(n);
        String min = TlsReader.minVersion(n);
        Duration reload = ConfigReader.positive(n, "reloadCheckInterval", DEFAULT_TLS_RELOAD_CHECK_INTERVAL);
        n.finish();
        return new UpstreamTlsConfig(sni, ca, cert, key, sans, min, reload);
    }

    private static String sni(Node n) {
        String sni = n.string("sni", null);
        if (sni != null && (sni.startsWith("*") || !TlsReader.SERVER_NAME.matcher(sni).matches())) {
            n.error("sni", "'" + sni + "' is not a DNS name");
            return null;
        }
        return sni;
    }

    /** The certificate parses, the key parses, and the key is the certificate's. */
    private static void clientCertificate(Node n, Path certFile, Path keyFile) {
        X509Certificate leaf = null;
        if (certFile != null) {
            List<X509Certificate> chain = TlsReader.certs(n, "certFile", certFile);
            if (chain != null) leaf = chain.get(0);
        }
        if (keyFile != null) {
            PrivateKey key = TlsReader.key(n, "keyFile", keyFile);
            if (key != null && leaf != null && !Pem.matches(key, leaf)) {
                n.error("keyFile", "'" + n.string("keyFile", "") + "' is not the key of the certificate in '"
                        + n.string("certFile", "") + "'");
            }
        }
    }

    /** DNS names (no wildcards: these are names a certificate must cover) or absolute URIs such as SPIFFE ids. */
    private static List<String> subjectAltNames(Node n) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : n.strings("verifySubjectAltName")) {
            if (s.contains(":")) {
                try {
                    URI u = new URI(s);
                    if (u.getScheme() == null || u.isOpaque() && !s.contains("://")) throw new URISyntaxException(s, "no scheme");
                } catch (URISyntaxException e) {
                    n.error("verifySubjectAltName", "'" + s + "' is not a URI (such as spiffe://example.org/ns/default/sa/users)");
                    continue;
                }
            } else if (s.startsWith("*") || !TlsReader.SERVER_NAME.matcher(s).matches()) {
                n.error("verifySubjectAltName", "'" + s + "' is not a DNS name or a URI");
                continue;
            }
            if (!out.add(s)) n.error("verifySubjectAltName", "'" + s + "' is listed twice");
        }
        return new ArrayList<>(out);
    }
}
