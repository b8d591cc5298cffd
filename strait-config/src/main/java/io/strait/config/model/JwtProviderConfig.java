package io.strait.config.model;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One JWT issuer whose tokens the gateway accepts ({@code auth.jwt[i]}). Tokens come in
 * {@code Authorization: Bearer <token>}.
 *
 * @param issuer required {@code iss}
 * @param audiences the token's {@code aud} must contain at least one of these; empty: {@code aud} is not checked
 * @param jwksUri where the signing keys are fetched (https, or http on loopback); exactly one of this and jwksFile
 * @param jwksFile a local JWKS file (re-read when it changes)
 * @param algorithms the allowed {@code alg} values (RS256/384/512, PS256/384/512, ES256/384/512, EdDSA)
 * @param clockSkew tolerance for {@code exp}, {@code nbf} and {@code iat}
 * @param jwksRefresh how long fetched keys are used before they are fetched again (refreshed ahead of this)
 * @param jwksTimeout connect + response timeout of one JWKS fetch
 * @param tenantClaim the claim sent upstream as {@code X-Tenant-ID}
 * @param claimHeaders more claims sent upstream: header name to claim name
 * @param forwardToken whether the {@code Authorization} header goes upstream (default: removed)
 */
public record JwtProviderConfig(
        String name,
        String issuer,
        List<String> audiences,
        URI jwksUri,
        Path jwksFile,
        List<String> algorithms,
        Duration clockSkew,
        Duration jwksRefresh,
        Duration jwksTimeout,
        String tenantClaim,
        Map<String, String> claimHeaders,
        boolean forwardToken) {

    /** Asymmetric algorithms only: an HMAC secret shared with every gateway is not a key we accept. */
    public static final List<String> SUPPORTED_ALGORITHMS = List.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");
    public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256");
    /** Envoy's jwt_authn default. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    /** Envoy's remote JWKS cache_duration default. */
    public static final Duration DEFAULT_JWKS_REFRESH = Duration.ofMinutes(5);
    public static final Duration DEFAULT_JWKS_TIMEOUT = Duration.ofSeconds(5);
    public static final String DEFAULT_TENANT_CLAIM = "tenant";
}
