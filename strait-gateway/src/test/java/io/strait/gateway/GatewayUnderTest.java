package io.strait.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpRequest;
import io.strait.proxy.testing.ClientProtocol;
import io.strait.proxy.testing.Downstream;
import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway ({@code new GatewayFilters(new StandardAuthenticators())}, as {@code bin/strait gateway}
 * runs it) in front of one {@link TestBackend} (cluster {@code b}), with helpers that send a request and
 * record what came back and whether anything reached the backend.
 */
final class GatewayUnderTest implements AutoCloseable {
    /** How long a raw exchange waits for more bytes before taking what it has. */
    private static final long RAW_QUIET_MILLIS = 3000;

    final TestBackend backend;
    final ProxyFixture proxy;
    /** The extension running it, when it is a view ({@link #on}); null when this object owns it. */
    private final ProxyExtension extension;
    /** What {@link #get} speaks; HTTP/1.1 unless {@link #using} says otherwise. */
    private volatile ClientProtocol protocol = ClientProtocol.HTTP_1_1;
    /** The HTTP/2 connection of {@link #get} over HTTP/2 when this object owns the gateway. */
    private H2Client h2;

    private GatewayUnderTest(TestBackend backend, ProxyFixture proxy, ProxyExtension extension) {
        this.backend = backend;
        this.proxy = proxy;
        this.extension = extension;
    }

    /** Makes {@link #get} speak {@code via} from now on (raw exchanges stay HTTP/1.1 bytes). */
    GatewayUnderTest using(ClientProtocol via) {
        this.protocol = via;
        return this;
    }

    private Downstream downstream() {
        ClientProtocol via = protocol;
        if (extension != null) return extension.over(via);
        return via == ClientProtocol.HTTP_1_1 ? Downstream.http1(proxy) : Downstream.http2(proxy, this::h2Connection);
    }

    private synchronized H2Client h2Connection() {
        try {
            if (h2 == null || !h2.channel().isActive()) {
                if (h2 != null) h2.close();
                h2 = new H2Client("127.0.0.1", proxy.port());
            }
            return h2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static GatewayUnderTest start(String yaml, Map<String, String> vars) throws Exception {
        return start(yaml, vars, Files.createTempDirectory("strait-e2e"));
    }

    /** {@code ${b}} in the YAML is the backend's address. */
    static GatewayUnderTest start(String yaml, Map<String, String> vars, Path dir) throws Exception {
        TestBackend backend = new TestBackend("b");
        try {
            Map<String, String> all = new HashMap<>(vars);
            all.put("b", backend.address());
            ProxyFixture proxy = ProxyFixture.start(yaml, all, new GatewayFilters(new StandardAuthenticators()), dir);
            return new GatewayUnderTest(backend, proxy, null);
        } catch (Exception | Error e) {
            backend.close();
            throw e;
        }
    }

    /**
     * The same gateway as a JUnit extension: {@code ${b}} is its backend's address; add variables with
     * {@link ProxyExtension#var}. Wrap the running one with {@link #on(ProxyExtension)}.
     */
    static ProxyExtension extension(String yaml) {
        return ProxyExtension.of(yaml).withBackend("b").filters(() -> new GatewayFilters(new StandardAuthenticators()));
    }

    /** A view of the gateway {@code extension} runs (the extension closes it: do not close the view). */
    static GatewayUnderTest on(ProxyExtension extension) {
        return new GatewayUnderTest(extension.backend("b"), extension.fixture(), extension);
    }

    /** A GET over HTTP/1.1 (or what {@link #using} chose) with {@code headers} given as name, value, name, value... */
    Answer get(String path, String... headers) {
        int before = backend.requestCount();
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(proxy.uri(path)).GET();
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return Answer.of(downstream().send(b.build()), backend.requestCount() - before);
    }

    /** Sends {@code head} (request line and header lines, CRLF separated, without the final blank line) as raw bytes. */
    Answer raw(String head) throws IOException {
        int before = backend.requestCount();
        String text = proxy.raw(head + "\r\nConnection: close\r\n\r\n", RAW_QUIET_MILLIS);
        return Answer.parse(text, backend.requestCount() - before);
    }

    /**
     * Writes {@code request} while reading the answer on another thread: the proxy may answer (431) and close
     * before a huge request is written, and a writer that reads only afterwards would lose the answer to the reset.
     */
    Answer rawConcurrently(byte[] request) throws Exception {
        int before = backend.requestCount();
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout((int) RAW_QUIET_MILLIS);
            InputStream in = s.getInputStream();
            CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> readAll(in));
            OutputStream out = s.getOutputStream();
            try {
                for (int off = 0; off < request.length; off += 16 * 1024) {
                    out.write(request, off, Math.min(16 * 1024, request.length - off));
                }
                out.flush();
            } catch (IOException closedByProxy) {
                // expected once the proxy has answered and closed
            }
            return Answer.parse(read.get(10, TimeUnit.SECONDS), backend.requestCount() - before);
        }
    }

    private static String readAll(InputStream in) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        try {
            int n;
            while ((n = in.read(b)) >= 0) buf.write(b, 0, n);
        } catch (SocketTimeoutException | java.net.SocketException quietOrReset) {
            // take what arrived
        } catch (IOException e) {
            // take what arrived
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** The last request head the backend received. */
    HttpRequest lastUpstream() {
        List<HttpRequest> r = backend.received();
        assertThat(r).isNotEmpty();
        return r.get(r.size() - 1);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (h2 != null) h2.close();
        }
        proxy.close();
        backend.close();
    }

    /** What the client got back, and how many requests reached the backend meanwhile. */
    record Answer(int status, Map<String, List<String>> headers, String body, int forwarded) {
        static Answer of(HttpResponse<String> r, int forwarded) {
            Map<String, List<String>> h = new LinkedHashMap<>();
            r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            return new Answer(r.statusCode(), h, r.body(), forwarded);
        }

        static Answer parse(String raw, int forwarded) {
            int end = raw.indexOf("\r\n\r\n");
            assertThat(end).as("a complete response head in: %s", raw).isPositive();
            String[] lines = raw.substring(0, end).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, List<String>> h = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                h.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
            return new Answer(status, h, raw.substring(end + 4), forwarded);
        }

        List<String> all(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        JsonNode json() {
            return Json.parse(body);
        }

        /** Asserts 200 and returns the headers the backend received (its /echo answer). */
        JsonNode upstreamHeaders() {
            assertThat(status).as(body).isEqualTo(200);
            assertThat(forwarded).isEqualTo(1);
            return json().path("headers");
        }

        /**
         * Asserts a refusal: the status, the JSON {@code error}, nothing forwarded, and none of {@code secrets}
         * anywhere in the answer (body or headers).
         */
        Answer refused(int expectedStatus, String error, String... secrets) {
            assertThat(status).as(body).isEqualTo(expectedStatus);
            assertThat(forwarded).as("requests that reached the backend").isZero();
            assertThat(json().path("error").asText()).isEqualTo(error);
            String everything = headers + body;
            for (String s : secrets) assertThat(everything).doesNotContain(s);
            return this;
        }

        /** A 401: {@code refused(401, "unauthorized")} with exactly {@code challenges} as WWW-Authenticate values. */
        Answer unauthorized(String description, String... secrets) {
            refused(401, "unauthorized", secrets);
            assertThat(all("www-authenticate")).containsExactly(bearer(description));
            assertThat(json().path("message").asText()).isEqualTo(description);
            return this;
        }

        /** As {@link #unauthorized}, for a policy that also accepts API keys (a second challenge). */
        Answer unauthorizedWithKeyChallenge(String description, String... secrets) {
            refused(401, "unauthorized", secrets);
            assertThat(all("www-authenticate")).containsExactly(bearer(description),
                    "ApiKey realm=\"strait\", header=\"X-API-Key\"");
            return this;
        }

        Answer unavailable(String... secrets) {
            refused(503, "auth_unavailable", secrets);
            assertThat(all("retry-after")).containsExactly("1");
            assertThat(all("www-authenticate")).isEmpty();
            return this;
        }

        static String bearer(String description) {
            return "Bearer realm=\"strait\", error=\"invalid_token\", error_description=\"" + description + "\"";
        }
    }
}
