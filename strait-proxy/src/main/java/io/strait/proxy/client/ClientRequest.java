package io.strait.proxy.client;

import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One request a filter sends to a cluster through {@link ClusterClient}.
 *
 * @param cluster the cluster's name in the running configuration
 * @param method the method
 * @param pathAndQuery the request target, e.g. {@code /users/7?fields=name} (already percent-encoded)
 * @param headers headers to send (Host, Content-Length and the caller's propagated headers are set by the client
 *     unless given here)
 * @param body the body, or null (or empty) for none
 * @param timeout how long the whole call may take (connection, request and the whole response)
 * @param maxResponseBytes the largest response body accepted; a longer one fails the call
 */
public record ClientRequest(String cluster, HttpMethod method, String pathAndQuery, List<Map.Entry<String, String>> headers,
                            byte[] body, Duration timeout, int maxResponseBytes) {
    public ClientRequest {
        if (cluster == null || method == null || pathAndQuery == null || timeout == null) {
            throw new IllegalArgumentException("cluster, method, pathAndQuery and timeout are required");
        }
        if (!pathAndQuery.startsWith("/")) throw new IllegalArgumentException("pathAndQuery must start with '/': " + pathAndQuery);
        if (pathAndQuery.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("pathAndQuery must be visible ASCII (percent-encode the rest)");
        }
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
        if (maxResponseBytes < 0) throw new IllegalArgumentException("maxResponseBytes must not be negative");
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    /** A GET without extra headers. */
    public static ClientRequest get(String cluster, String pathAndQuery, Duration timeout, int maxResponseBytes) {
        return new ClientRequest(cluster, HttpMethod.GET, pathAndQuery, List.of(), null, timeout, maxResponseBytes);
    }
}
