package io.strait.mesh.peerauth;

/**
 * How a sidecar's inbound port treats callers, as Istio's PeerAuthentication: {@code STRICT} takes mutual TLS
 * only; {@code PERMISSIVE} takes mutual TLS and plaintext on the same port (to migrate callers into the mesh).
 */
public enum PeerAuthMode { STRICT, PERMISSIVE }
