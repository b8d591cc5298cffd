/**
 * The mesh's trace path: each sidecar's (and a mesh gateway's) finished spans go to the control plane over
 * its mTLS channel ({@link io.strait.mesh.traces.SpanShipper}, {@code TraceService} of traces.proto), where
 * {@link io.strait.mesh.traces.TraceCollector} assembles them by trace id for the admin API's {@code GET /traces}.
 */
package io.strait.mesh.traces;
