/**
 * Config distribution with xDS state-of-the-world semantics over {@code ConfigDiscoveryService.StreamConfig}:
 * the control plane's {@link io.strait.mesh.xds.DiscoveryServer} pushes every resource of a type with a
 * version and a nonce; the sidecar's {@link io.strait.mesh.xds.DiscoveryClient} applies it and ACKs the
 * version, or NACKs it with a reason and keeps the last version it accepted; stale nonces are ignored; a
 * reconnecting sidecar names its versions so only changes are sent. Resource versions are content hashes
 * ({@link io.strait.mesh.xds.VersionedResources}).
 */
package io.strait.mesh.xds;
