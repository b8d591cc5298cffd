/**
 * Peer authentication of a sidecar's inbound port: the STRICT and PERMISSIVE modes ({@link
 * io.strait.mesh.peerauth.PeerAuthentication}) and the {@code peerauth} filter, which holds client certificates to
 * the SVID rules the TLS handshake does not check.
 */
package io.strait.mesh.peerauth;
