package io.strait.gateway.graphql;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link RestCaller} over the JDK's HTTP client, as the engine client will be: clusters by name to base URLs,
 * and the caller's identity and request id on every call (what the engine client adds from the request).
 */
final class HttpRestCaller {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpRestCaller() {}

    /** A caller for one GraphQL request of {@code userId} with {@code requestId}. */
    static RestCaller of(Map<String, String> clusters, String userId, String requestId) {
        return call -> send(clusters, call, userId, requestId);
    }

    private static CompletionStage<RestCaller.RestAnswer> send(Map<String, String> clusters, RestCaller.RestCall call,
            String userId, String requestId) {
        String base = clusters.get(call.cluster());
        if (base == null) return CompletableFuture.failedFuture(new IllegalStateException("no cluster " + call.cluster()));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + call.pathAndQuery()))
                .timeout(call.timeout() != null ? call.timeout() : Duration.ofSeconds(5))
                .method(call.method(), HttpRequest.BodyPublishers.noBody());
        call.headers().forEach(h -> b.header(h.getKey(), h.getValue()));
        if (userId != null) b.header("X-User-ID", userId);
        if (requestId != null) b.header("X-Request-Id", requestId);
        return CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> new RestCaller.RestAnswer(r.statusCode(), r.body()));
    }
}
