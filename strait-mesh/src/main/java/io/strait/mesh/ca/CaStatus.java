package io.strait.mesh.ca;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The CA's expiry facts as plain values, for a metrics layer ({@code strait_ca_cert_not_after_seconds{role,subject}},
 * {@code strait_svid_not_after_seconds{spiffe_id}}) and the admin API.
 *
 * @param certificates the signing certificate, its intermediates and every root of the trust bundle
 * @param issuedNotAfter per SPIFFE ID, the expiry of the latest SVID issued to it that has not expired yet
 * @param issuedTotal SVIDs issued since start
 */
public record CaStatus(String trustDomain, List<CertExpiry> certificates, Map<String, Instant> issuedNotAfter, long issuedTotal) {
    /** One CA certificate: its role ({@code signing}, {@code intermediate}, {@code root}), subject, serial (hex) and expiry. */
    public record CertExpiry(String role, String subject, String serial, Instant notAfter) {}
}
