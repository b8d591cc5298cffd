package io.strait.proxy.endpoint;

/**
 * Why an upstream response was refused, as the failed {@code decoderResult()} of the message the exchange
 * receives. The message is a fixed text, never upstream bytes; no stack trace is kept (it is not a bug).
 */
public final class InvalidResponseException extends Exception {
    public InvalidResponseException(String message) {
        super(message, null, false, false);
    }
}
