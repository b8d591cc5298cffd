/**
 * The control plane's mesh configuration: Istio {@code AuthorizationPolicy} and {@code PeerAuthentication} documents
 * and Strait's own per-service {@code TrafficPolicy} documents, read from YAML files or directories by
 * {@link io.strait.mesh.meshconfig.MeshConfigReader} into one immutable {@link io.strait.mesh.meshconfig.MeshConfig},
 * and kept current by {@link io.strait.mesh.meshconfig.MeshConfigSource} (reload on demand and on file change; a
 * refused reload keeps the previous configuration).
 */
package io.strait.mesh.meshconfig;
