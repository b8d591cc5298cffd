/**
 * JWT bearer-token authentication for one provider ({@code auth.jwt[i]}): {@link io.strait.gateway.jwt.JwtAuthenticator}
 * checks the token, {@code JwksCache} keeps the provider's signing keys fresh in the background, and
 * {@code VerifiedTokenCache} remembers tokens already verified until they expire.
 *
 * <p>Security decisions, in one place:
 * <ul>
 *   <li>Keys come only from the configured JWKS (URL or file). A token that names or carries a key ({@code jku},
 *       {@code x5u}, {@code jwk}, {@code x5c}) is refused, not merely ignored: no IdP we know sends them in access
 *       tokens, and their presence is the signature of key-injection attacks.</li>
 *   <li>Only asymmetric algorithms from the provider's allow-list; {@code none} and HMAC never.</li>
 *   <li>Nothing logs a token, a key or a claim value; rejections carry short fixed descriptions.</li>
 * </ul>
 */
package io.strait.gateway.jwt;
