package io.strait.gateway.graphql;

/**
 * A request refused before execution, as one GraphQL error with {@code extensions.code}. {@code status} is the
 * HTTP status of a request that is not a well-formed GraphQL-over-HTTP request (400, 405, 413, 415); 0 for a
 * well-formed request whose document is refused (unknown persisted query, not safelisted), whose status
 * depends on the media type ({@link GraphqlResponses}). Carries no stack trace: it is an answer, not a fault.
 */
final class Refusal extends RuntimeException {
    /** The status of a well-formed request refused: chosen by the response's media type. */
    static final int BY_MEDIA_TYPE = 0;

    private final int status;
    private final String code;

    Refusal(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
