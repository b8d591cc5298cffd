package io.strait.proxy.testing;

import io.netty.handler.codec.http.HttpMethod;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSession;

/**
 * A client of the proxy's listener over one {@link ClientProtocol}, with the JDK client's request and
 * response types whichever protocol carries them, so one test body runs over HTTP/1.1 and HTTP/2.
 * Get one from {@link ProxyExtension#over(ClientProtocol)}.
 */
public interface Downstream {
    /** How long an HTTP/2 exchange may take before the test fails (the JDK client has its own timeouts). */
    long H2_TIMEOUT_SECONDS = 30;

    ClientProtocol protocol();

    /** Sends {@code req} (its URI's path and query; the host and port are the proxy's listener). */
    HttpResponse<String> send(HttpRequest req);

    /** A GET of {@code path} on the proxy's listener. */
    HttpResponse<String> get(String path);

    /** HTTP/1.1 through the JDK client of {@code proxy}. */
    static Downstream http1(ProxyFixture proxy) {
        return new Downstream() {
            @Override
            public ClientProtocol protocol() {
                return ClientProtocol.HTTP_1_1;
            }

            @Override
            public HttpResponse<String> send(HttpRequest req) {
                return proxy.send(req);
            }

            @Override
            public HttpResponse<String> get(String path) {
                return proxy.get(path);
            }
        };
    }

    /** HTTP/2 with prior knowledge over one {@link H2Client} connection (not closed here). */
    static Downstream http2(ProxyFixture proxy, java.util.function.Supplier<H2Client> connection) {
        return new Downstream() {
            @Override
            public ClientProtocol protocol() {
                return ClientProtocol.HTTP_2;
            }

            @Override
            public HttpResponse<String> send(HttpRequest req) {
                Map<String, String> headers = new LinkedHashMap<>();
                req.headers().map().forEach((k, v) -> headers.put(k, String.join(", ", v)));
                byte[] body = req.bodyPublisher().map(Downstream::bytesOf).orElse(null);
                String target = req.uri().getRawPath() + (req.uri().getRawQuery() == null ? "" : "?" + req.uri().getRawQuery());
                try {
                    H2Client.Response r = connection.get().request(HttpMethod.valueOf(req.method()), target, headers, body)
                            .get(H2_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    return new H2Response(req, r);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                } catch (ExecutionException | TimeoutException e) {
                    throw new UncheckedIOException(new java.io.IOException("HTTP/2 exchange failed: " + e.getMessage(), e));
                }
            }

            @Override
            public HttpResponse<String> get(String path) {
                return send(HttpRequest.newBuilder(proxy.uri(path)).GET().build());
            }
        };
    }

    /** Collects a JDK body publisher's bytes (tests' bodies are small and finite). */
    private static byte[] bytesOf(HttpRequest.BodyPublisher publisher) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<ByteBuffer>() {
            private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                out.writeBytes(b);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(out.toByteArray());
            }
        });
        byte[] bytes = done.join();
        return bytes.length == 0 && publisher.contentLength() == 0 ? null : bytes;
    }

    /** An {@link H2Client.Response} as a JDK {@link HttpResponse}; Netty's {@code x-http2-*} headers are left out. */
    record H2Response(HttpRequest request, H2Client.Response response) implements HttpResponse<String> {
        @Override
        public int statusCode() {
            return response.status();
        }

        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            Map<String, List<String>> map = new LinkedHashMap<>();
            for (Map.Entry<String, String> h : response.headers()) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (name.startsWith("x-http2-")) continue;
                map.computeIfAbsent(name, k -> new ArrayList<>()).add(h.getValue());
            }
            return HttpHeaders.of(map, (k, v) -> true);
        }

        @Override
        public String body() {
            return response.body();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_2;
        }
    }
}
