/**
 * TLS termination on listeners: certificates chosen by SNI and reloaded from disk
 * ({@link io.strait.proxy.tls.TlsTerminator}), the ALPN hand-over to HTTP/2 or HTTP/1.1
 * ({@link io.strait.proxy.tls.TlsHandshakeHandler}), client certificates
 * ({@link io.strait.proxy.tls.ClientCertificate}), HSTS and the plain listener's https redirect.
 */
package io.strait.proxy.tls;
