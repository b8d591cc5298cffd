/**
 * Sidecar injection into Kubernetes workloads: {@link io.strait.mesh.inject.SidecarInjector} adds the sidecar
 * container to a pod template; {@link io.strait.mesh.inject.ManifestInjector} runs it over a multi-document YAML
 * file ({@code strait inject -f}); {@link io.strait.mesh.inject.AdmissionReviews} and
 * {@link io.strait.mesh.inject.InjectionWebhook} serve the same injection to the API server as a mutating admission
 * webhook (AdmissionReview v1, a JSONPatch answer), as Istio's and Linkerd's injectors do.
 */
package io.strait.mesh.inject;
