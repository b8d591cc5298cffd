package io.strait.gateway.jwt;

/** A failed JWKS fetch; the message is a short reason without any key material. */
final class JwksException extends RuntimeException {
    JwksException(String reason) {
        super(reason, null, false, false);
    }
}
