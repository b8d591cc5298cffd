/**
 * The service mesh: the control plane (a SPIFFE certificate authority, join tokens, the service
 * registry and policies) and the sidecar, which is the proxy engine plus mesh filters (peer mTLS
 * identity, Istio-style authorization policies) with its config pushed by the control plane.
 * One package per concern: {@code ca}, {@code token}, {@code store}, {@code authz}, ...
 */
package io.strait.mesh;
