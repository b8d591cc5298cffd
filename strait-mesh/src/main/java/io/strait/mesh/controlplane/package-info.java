/**
 * The control plane process: its parts assembled ({@link io.strait.mesh.controlplane.ControlPlane}), its own
 * SVID, its admin listener and metrics.
 */
package io.strait.mesh.controlplane;
