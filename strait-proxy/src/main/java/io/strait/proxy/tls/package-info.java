/**
 * TLS on both sides of the proxy. Listeners: certificates chosen by SNI ({@link io.strait.proxy.tls.TlsTerminator}),
 * the ALPN hand-over to HTTP/2 or HTTP/1.1 ({@link io.strait.proxy.tls.TlsHandshakeHandler}), client
 * certificates ({@link io.strait.proxy.tls.ClientCertificate}), HSTS and the plain listener's https redirect.
 * Clusters: {@link io.strait.proxy.tls.UpstreamTls} (SNI, the server certificate's CA and subjectAltName
 * check, client certificates, ALPN by the cluster's protocol, session reuse). Both take their material from
 * {@link io.strait.proxy.tls.CertificateSource}s: watched files ({@link io.strait.proxy.tls.FileCertificateSource})
 * or material set by code ({@link io.strait.proxy.tls.InMemoryCertificateSource}, bound by name through
 * {@link io.strait.proxy.tls.CertificateSources}); a change swaps contexts without dropping a connection.
 */
package io.strait.proxy.tls;
