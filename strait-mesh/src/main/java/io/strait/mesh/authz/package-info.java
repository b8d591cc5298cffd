/**
 * Authorization policies with Istio's AuthorizationPolicy semantics: {@link io.strait.mesh.authz.PolicyReader}
 * reads Istio's own YAML documents (unsupported fields are errors naming their path),
 * {@link io.strait.mesh.authz.AuthzEngine} compiles them once and evaluates a request DENY first, then ALLOW.
 */
package io.strait.mesh.authz;
