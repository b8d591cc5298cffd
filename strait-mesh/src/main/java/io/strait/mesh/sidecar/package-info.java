/**
 * The sidecar process: the proxy engine with mesh filters, config from the control plane, and the app it
 * may run as a child ({@link io.strait.mesh.sidecar.AppSupervisor}).
 */
package io.strait.mesh.sidecar;
