/**
 * The mesh's request telemetry on the data plane: the {@code meshMetrics} filter, which a sidecar puts first on its
 * inbound route (reporter {@code destination}) and on each outbound route (reporter {@code source}), counts calls in
 * {@code strait_mesh_requests_total} and {@code strait_mesh_request_duration_seconds} with Istio's standard labels,
 * and keeps the inbound's edges per calling principal ({@link io.strait.mesh.telemetry.InboundEdges}) for the
 * report to the control plane. Labelled series are resolved once per caller and code, never per request.
 */
package io.strait.mesh.telemetry;
