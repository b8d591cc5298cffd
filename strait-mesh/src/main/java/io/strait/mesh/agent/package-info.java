/**
 * The sidecar's side of the control plane: joining the mesh with a join token, the registry's heartbeats,
 * SVID renewal ({@link io.strait.mesh.agent.MeshAgent}).
 */
package io.strait.mesh.agent;
