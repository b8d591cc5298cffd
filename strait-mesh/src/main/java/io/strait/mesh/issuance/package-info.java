/**
 * The control plane's certificate service ({@code CertificateService} of mesh.proto): a sidecar's first
 * SVID, authenticated by a join token, and its renewals, authenticated by its current SVID. The identity
 * is always the token's or the SVID's, never the CSR's; the CA ({@link io.strait.mesh.ca}) signs.
 */
package io.strait.mesh.issuance;
