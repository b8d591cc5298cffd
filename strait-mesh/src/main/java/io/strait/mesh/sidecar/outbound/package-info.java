/**
 * The {@code meshOutbound} filter of a sidecar's outbound listeners: unknown service names and services without
 * endpoints are answered with the reason before routing.
 */
package io.strait.mesh.sidecar.outbound;
