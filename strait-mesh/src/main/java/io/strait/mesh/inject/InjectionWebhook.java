package io.strait.mesh.inject;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.strait.config.tls.Pem;
import io.strait.config.tls.PemException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar injector as a mutating admission webhook: {@code POST /inject} over HTTPS (the certificate the
 * MutatingWebhookConfiguration's {@code caBundle} trusts) answers AdmissionReview v1 with {@link AdmissionReviews}.
 * Served by the control plane on {@code injection.address} (15017, Istio's webhook port). Bad requests are
 * {@code 400 {"error":"bad_request",...}}; the Kubernetes API server sends small JSON bodies, so a body over
 * {@link #MAX_BODY} bytes is 413 without being read.
 */
public final class InjectionWebhook implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InjectionWebhook.class);
    /** The API server's limit for an object is 3 MiB (etcd's request size); a review holds one. */
    public static final int MAX_BODY = 4 * 1024 * 1024;
    public static final String PATH = "/inject";
    private static final int THREADS = 2;

    private final HttpsServer server;
    private final ExecutorService threads;
    private final AdmissionReviews reviews;

    private InjectionWebhook(HttpsServer server, ExecutorService threads, AdmissionReviews reviews) {
        this.server = server;
        this.threads = threads;
        this.reviews = reviews;
    }

    /** Listens on {@code address} with the PEM certificate chain and key in the two files. Blocking (file reads). */
    public static InjectionWebhook start(InetSocketAddress address, Path certFile, Path keyFile, AdmissionReviews reviews)
            throws IOException, PemException, GeneralSecurityException {
        List<X509Certificate> chain = Pem.certificates(Pem.read(certFile));
        PrivateKey key = Pem.privateKey(Pem.read(keyFile));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] none = new char[0];
        store.setKeyEntry("webhook", key, none, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, none);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(address, 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        ExecutorService threads = Executors.newFixedThreadPool(THREADS, Thread.ofPlatform().name("strait-inject-", 0).daemon().factory());
        server.setExecutor(threads);
        InjectionWebhook webhook = new InjectionWebhook(server, threads, reviews);
        server.createContext("/", webhook::handle);
        server.start();
        return webhook;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            if (!path.equals(PATH)) {
                error(x, 404, "not_found", "no endpoint " + path + " (the webhook is POST " + PATH + ")");
                return;
            }
            if (!x.getRequestMethod().equals("POST")) {
                x.getResponseHeaders().set("Allow", "POST");
                error(x, 405, "method_not_allowed", PATH + " answers POST only");
                return;
            }
            String length = x.getRequestHeaders().getFirst("Content-Length");
            if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > MAX_BODY) {
                error(x, 413, "payload_too_large", "an AdmissionReview is at most " + MAX_BODY + " bytes");
                return;
            }
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                error(x, 413, "payload_too_large", "an AdmissionReview is at most " + MAX_BODY + " bytes");
                return;
            }
            byte[] answer;
            try {
                answer = reviews.review(body);
            } catch (IllegalArgumentException e) {
                error(x, 400, "bad_request", e.getMessage());
                return;
            }
            send(x, 200, answer);
        } catch (RuntimeException e) {
            LOG.warn("injection webhook: {} {} failed", x.getRequestMethod(), x.getRequestURI().getPath(), e);
        }
    }

    private static void error(HttpExchange x, int status, String error, String message) throws IOException {
        String json = "{\"error\":\"" + error + "\",\"message\":\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
                .quoteAsString(message)) + "\"}\n";
        send(x, status, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int status, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
