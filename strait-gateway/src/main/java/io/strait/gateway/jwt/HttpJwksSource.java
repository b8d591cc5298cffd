package io.strait.gateway.jwt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/** Fetches a JWKS over HTTP(S) with the JDK client's {@code sendAsync}: bounded in time and size. */
final class HttpJwksSource implements JwksSource {
    /** Refresh ahead of expiry: at 80% of jwksRefresh, so a slow fetch still lands before the keys would be due. */
    static final double REFRESH_AHEAD = 0.8;

    private final HttpClient client;
    private final URI uri;
    private final Duration timeout;
    private final Duration refresh;
    private final int maxBytes;

    HttpJwksSource(HttpClient client, URI uri, Duration timeout, Duration refresh, int maxBytes) {
        this.client = client;
        this.uri = uri;
        this.timeout = timeout;
        this.refresh = refresh;
        this.maxBytes = maxBytes;
    }

    @Override
    public CompletableFuture<byte[]> fetch() {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request,
                info -> info.statusCode() == 200 ? new LimitedBody(maxBytes) : BodySubscribers.replacing(null));
        CompletableFuture<byte[]> body = exchange.thenApply(r -> {
            if (r.statusCode() != 200) throw new JwksException("status " + r.statusCode());
            return r.body();
        });
        // The request timeout covers only the response head: bound the whole exchange, and abandon it on expiry.
        body.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        body.whenComplete((b, e) -> {
            if (e != null) exchange.cancel(true);
        });
        return body;
    }

    @Override
    public Duration nextAfterSuccess() {
        return Duration.ofMillis(Math.max(1, (long) (refresh.toMillis() * REFRESH_AHEAD)));
    }

    @Override
    public String describe() {
        return uri.toString();
    }

    /** Collects a body up to {@code max} bytes; a longer body fails the fetch and stops the transfer. */
    private static final class LimitedBody implements BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int max;
        private Flow.Subscription subscription;

        LimitedBody(int max) {
            this.max = max;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) return;
            for (ByteBuffer b : items) {
                if ((long) out.size() + b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new JwksException("response over " + max + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t instanceof IOException ? t : new IOException(t));
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }
    }
}
