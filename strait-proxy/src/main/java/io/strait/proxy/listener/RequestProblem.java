package io.strait.proxy.listener;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Why a request is refused at the edge: the status, the JSON {@code error} code and a fixed message.
 * Messages never echo request bytes back.
 */
public record RequestProblem(HttpResponseStatus status, String error, String message) {

    public static RequestProblem badRequest(String message) {
        return new RequestProblem(HttpResponseStatus.BAD_REQUEST, "bad_request", message);
    }

    public static RequestProblem headerTooLarge(String message) {
        return new RequestProblem(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "header_too_large", message);
    }

    public static RequestProblem uriTooLong() {
        return new RequestProblem(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long", "request line too long");
    }

    public static RequestProblem versionNotSupported() {
        return new RequestProblem(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "http_version_not_supported",
                "only HTTP/1.0 and HTTP/1.1 are supported on this connection");
    }

    public static RequestProblem methodNotAllowed(String message) {
        return new RequestProblem(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", message);
    }

    public static RequestProblem notImplemented(String message) {
        return new RequestProblem(HttpResponseStatus.NOT_IMPLEMENTED, "not_implemented", message);
    }

    public static RequestProblem payloadTooLarge() {
        return new RequestProblem(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                "request body larger than this listener allows");
    }
}
