package io.strait.gateway;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A token issuer for the end-to-end tests: one RSA key (kid {@code k1}) whose public half a real JWKS
 * endpoint (JDK HttpServer on loopback) serves, and helpers that mint valid tokens or crafted ones.
 * The endpoint can be made to answer garbage, answer slowly, or stop.
 */
final class TestIssuer implements AutoCloseable {
    static final String ISSUER = "https://issuer.test/";
    static final String AUDIENCE = "api";
    static final String KID = "k1";

    final RSAKey key;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile byte[] body;
    private volatile long delayMillis;

    TestIssuer() throws Exception {
        key = new RSAKeyGenerator(2048).keyID(KID).generate();
        body = new JWKSet(key.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks.json", ex -> {
            requests.incrementAndGet();
            try {
                if (delayMillis > 0) Thread.sleep(delayMillis);
                byte[] b = body;
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, b.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(b);
                }
            } catch (InterruptedException | IOException e) {
                // the client gave up or the server is stopping
            } finally {
                ex.close();
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /** The {@code jwksUri} to configure. */
    String jwksUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
    }

    void serveGarbage() {
        body = "<html>this is not a JWKS</html>".getBytes(StandardCharsets.UTF_8);
    }

    void delay(long millis) {
        delayMillis = millis;
    }

    int requests() {
        return requests.get();
    }

    void stop() {
        server.stop(0);
    }

    /** Valid claims: iss, aud, sub user-1, tenant acme, two scopes, an email, exp in 5 minutes, a fresh jti. */
    static Map<String, Object> claims() {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", ISSUER);
        c.put("aud", List.of(AUDIENCE));
        c.put("sub", "user-1");
        c.put("tenant", "acme");
        c.put("scope", "users:read users:write");
        c.put("email", "u1@acme.test");
        c.put("iat", now);
        c.put("exp", now + 300);
        c.put("jti", UUID.randomUUID().toString());
        return c;
    }

    /** A valid RS256 token (each call a new one: the verified-token cache never answers for it). */
    String token() {
        return token(c -> {});
    }

    String token(Consumer<Map<String, Object>> edit) {
        Map<String, Object> c = claims();
        edit.accept(c);
        return sign("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + KID + "\"}", json(c));
    }

    /** Signs raw header and payload text with the RSA key (RS256), whatever the header says. */
    String sign(String headerJson, String payloadText) {
        try {
            String input = b64(headerJson) + "." + b64(payloadText);
            Base64URL sig = new RSASSASigner(key).sign(new JWSHeader(JWSAlgorithm.RS256), input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + sig;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(String text) {
        return Base64URL.encode(text.getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String json(Map<String, Object> claims) {
        return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(claims);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
