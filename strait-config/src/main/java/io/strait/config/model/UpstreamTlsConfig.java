package io.strait.config.model;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * TLS from the proxy to a cluster's endpoints ({@code clusters.NAME.tls}), as Envoy's
 * UpstreamTlsContext. File paths are absolute (relative ones were resolved against the config file's
 * directory); the proxy reads the files, and reads them again when they change.
 *
 * @param sni the server name sent in the ClientHello; null: the endpoint's DNS name (none for an IP literal)
 * @param caFile the CA certificates (PEM) the server's chain must lead to; null: the system trust store
 * @param certFile the client certificate chain (PEM, leaf first) for mutual TLS, or null for none
 * @param keyFile the client certificate's private key (PEM), set exactly when {@code certFile} is
 * @param verifySubjectAltName the names the server certificate must carry, any one of them: DNS names
 *     (matched against its DNS subjectAltNames, wildcards included) or URIs such as SPIFFE ids (matched
 *     exactly against its URI subjectAltNames); empty: the SNI name (or the endpoint's IP address, as
 *     an IP subjectAltName, when there is none)
 * @param minVersion {@code TLSv1.2} or {@code TLSv1.3}; nothing older is ever offered
 * @param reloadCheckInterval how often the CA, certificate and key files are checked for changes
 */
public record UpstreamTlsConfig(
        String sni,
        Path caFile,
        Path certFile,
        Path keyFile,
        List<String> verifySubjectAltName,
        String minVersion,
        Duration reloadCheckInterval) {

    public UpstreamTlsConfig {
        verifySubjectAltName = verifySubjectAltName == null ? List.of() : List.copyOf(verifySubjectAltName);
    }
}
