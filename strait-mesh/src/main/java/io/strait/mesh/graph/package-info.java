/**
 * The control plane's view of the mesh's traffic: {@link io.strait.mesh.graph.TelemetryService} takes each sidecar's
 * report (its inbound's calls per caller, over its mutual TLS channel; the reporter is its SVID), a
 * {@link io.strait.mesh.graph.TelemetryWindow} keeps the last minute of them, bounded, and
 * {@link io.strait.mesh.graph.MeshGraph} makes the service graph of {@code GET /mesh/graph} from it and the registry.
 */
package io.strait.mesh.graph;
