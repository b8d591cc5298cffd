package io.strait.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.JwtProviderConfig;
import io.strait.gateway.auth.AuthOutcome;
import io.strait.gateway.jwt.JwtAuthenticator;
import io.strait.gateway.jwt.JwtTuning;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One {@code authenticate()} of a bearer JWT with keys cached: cold RS256 (2048-bit) and ES256 (P-256) verification
 * with the verified-token cache disabled, and a cache hit (SHA-256 of the token plus a map lookup).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JwtVerifyBenchmark {
    private ScheduledExecutorService scheduler;
    private JwtAuthenticator cold;
    private JwtAuthenticator cached;
    private HttpHeaders rs256;
    private HttpHeaders es256;
    private Path dir;

    @Setup
    public void setup() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
        dir = Files.createTempDirectory("jwt-bench");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString(true));
        JwtProviderConfig config = new JwtProviderConfig("bench", "https://issuer.bench/", List.of("api"), null, jwks,
                List.of("RS256", "ES256"), Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofSeconds(5),
                "tenant", Map.of("X-Email", "email"), false);
        scheduler = Executors.newSingleThreadScheduledExecutor();
        HttpClient http = HttpClient.newHttpClient();
        cold = new JwtAuthenticator(config, http, scheduler, JwtTuning.DEFAULTS.withTokenCacheSize(0));
        cached = new JwtAuthenticator(config, http, scheduler, JwtTuning.DEFAULTS);
        cold.keysLoaded().get(10, TimeUnit.SECONDS);
        cached.keysLoaded().get(10, TimeUnit.SECONDS);

        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("https://issuer.bench/").audience("api")
                .subject("user-1").claim("tenant", "acme").claim("scope", "users:read users:write")
                .claim("email", "user@example.com").issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(2)))).build();
        SignedJWT r = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa").build(), claims);
        r.sign(new RSASSASigner(rsa));
        SignedJWT e = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec").build(), claims);
        e.sign(new ECDSASigner(ec));
        rs256 = new DefaultHttpHeaders().add("Authorization", "Bearer " + r.serialize());
        es256 = new DefaultHttpHeaders().add("Authorization", "Bearer " + e.serialize());
        for (HttpHeaders h : List.of(rs256, es256)) {
            if (!(check(cold, h) instanceof AuthOutcome.Verified)) throw new IllegalStateException("setup token rejected");
        }
        check(cached, rs256);
    }

    @TearDown
    public void tearDown() throws Exception {
        cold.close();
        cached.close();
        scheduler.shutdownNow();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }

    private static AuthOutcome check(JwtAuthenticator a, HttpHeaders h) {
        return a.authenticate(h, null).toCompletableFuture().join();
    }

    @Benchmark
    public AuthOutcome coldRs256() {
        return check(cold, rs256);
    }

    @Benchmark
    public AuthOutcome coldEs256() {
        return check(cold, es256);
    }

    @Benchmark
    public AuthOutcome cacheHit() {
        return check(cached, rs256);
    }
}
