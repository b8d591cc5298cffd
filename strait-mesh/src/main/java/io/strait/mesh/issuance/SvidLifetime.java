package io.strait.mesh.issuance;

import io.grpc.Status;
import io.strait.mesh.ca.CertificateAuthority;
import java.time.Duration;

/**
 * The lifetime of an SVID from the request's {@code validity_seconds}: {@code 0} is the CA's configured
 * lifetime ({@code svid.ttl}); more than that is capped to it (the operator's setting is the longest an
 * SVID lives, whatever a sidecar asks); less than {@link CertificateAuthority#MIN_SVID_TTL} is raised to
 * it (a shorter SVID would be renewed every few seconds); a negative value is refused.
 */
final class SvidLifetime {
    private SvidLifetime() {}

    static Duration resolve(long validitySeconds, Duration configured) throws Refusal {
        if (validitySeconds < 0) {
            throw new Refusal(Status.Code.INVALID_ARGUMENT, IssuanceMetrics.Reason.BAD_VALIDITY,
                    "validity_seconds must not be negative (was " + validitySeconds + "); 0 asks for the default of "
                            + CertificateAuthority.human(configured));
        }
        if (validitySeconds == 0 || validitySeconds >= configured.toSeconds()) return configured;
        Duration asked = Duration.ofSeconds(validitySeconds);
        return asked.compareTo(CertificateAuthority.MIN_SVID_TTL) < 0 ? CertificateAuthority.MIN_SVID_TTL : asked;
    }
}
