/**
 * The control plane's gRPC API ({@code src/main/proto/strait/mesh/v1/mesh.proto}, generated into
 * {@code io.strait.mesh.api.v1}) and what its services share: the caller's verified identity.
 */
package io.strait.mesh.api;
