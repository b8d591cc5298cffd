/**
 * The control plane's service registry: the workloads sidecars register and keep alive with
 * heartbeats ({@link io.strait.mesh.registry.Registry}), the changes config distribution pushes, and
 * the gRPC {@code RegistryService} of mesh.proto ({@link io.strait.mesh.registry.RegistryService}).
 */
package io.strait.mesh.registry;
