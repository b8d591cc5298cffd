package io.strait.gateway.jwt;

/** The fixed descriptions of rejected tokens: sent to the client, so never a token, key or claim fragment. */
final class Reasons {
    static final String MULTIPLE_HEADERS = "multiple Authorization headers";
    static final String MALFORMED = "malformed token";
    static final String TOO_LARGE = "token too large";
    static final String UNSUPPORTED_ALG = "unsupported algorithm";
    static final String TOKEN_KEYS = "token-supplied keys not accepted";
    static final String CRIT = "unsupported critical header";
    static final String BAD_KID = "invalid key id";
    static final String UNKNOWN_KEY = "unknown signing key";
    static final String ALG_KEY_MISMATCH = "algorithm does not match key";
    static final String BAD_SIGNATURE = "invalid signature";
    static final String EXPIRED = "token expired";
    static final String MISSING_EXP = "missing exp claim";
    static final String NOT_YET_VALID = "token not yet valid";
    static final String ISSUED_IN_FUTURE = "token issued in the future";
    static final String WRONG_ISSUER = "wrong issuer";
    static final String WRONG_AUDIENCE = "wrong audience";
    static final String BAD_SUBJECT = "missing or invalid sub claim";
    static final String BAD_TENANT = "invalid tenant claim";
    static final String KEYS_UNAVAILABLE = "signing keys unavailable";

    private Reasons() {}
}
