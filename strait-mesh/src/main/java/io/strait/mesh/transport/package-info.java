/**
 * The control plane's gRPC transport: mutual TLS with SPIFFE identities ({@link io.strait.mesh.transport.MeshTransport}),
 * rotating credentials ({@link io.strait.mesh.transport.MeshCredentials}), and the caller's verified identity
 * for every call.
 */
package io.strait.mesh.transport;
