package io.strait.gateway.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.JwtProviderConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Token, header and config helpers shared by the JWT tests. */
final class Tokens {
    static final String ISSUER = "https://issuer.test/";
    static final String AUDIENCE = "api";

    private Tokens() {}

    /** Default claims (valid now): iss, aud, sub, tenant, scope, exp in 5 minutes, iat now; then {@code edit}. */
    static JWTClaimsSet.Builder claims(Instant now) {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(List.of(AUDIENCE, "other")).subject("user-1")
                .claim("tenant", "acme").claim("scope", "users:read users:write")
                .expirationTime(Date.from(now.plusSeconds(300))).issueTime(Date.from(now))
                .jwtID(UUID.randomUUID().toString());
    }

    static String token(TestKey key, Instant now) {
        return token(key, key.alg, claims(now).build());
    }

    static String token(TestKey key, Instant now, Consumer<JWTClaimsSet.Builder> edit) {
        JWTClaimsSet.Builder b = claims(now);
        edit.accept(b);
        return token(key, key.alg, b.build());
    }

    static String token(TestKey key, JWSAlgorithm alg, JWTClaimsSet claims) {
        String header = "{\"alg\":\"" + alg.getName() + "\",\"typ\":\"JWT\""
                + (key.kid() == null ? "" : ",\"kid\":\"" + key.kid() + "\"") + "}";
        return key.signRaw(header, claims.toString());
    }

    static HttpHeaders bearer(String token) {
        return new DefaultHttpHeaders().add("Authorization", "Bearer " + token);
    }

    static JwtProviderConfig config(URI jwksUri, Path jwksFile) {
        return config(jwksUri, jwksFile, JwtProviderConfig.SUPPORTED_ALGORITHMS, Duration.ofMinutes(5));
    }

    static JwtProviderConfig config(URI jwksUri, Path jwksFile, List<String> algorithms, Duration refresh) {
        return new JwtProviderConfig("main", ISSUER, List.of(AUDIENCE), jwksUri, jwksFile, algorithms,
                Duration.ofSeconds(60), refresh, Duration.ofMillis(500), "tenant",
                Map.of("X-Email", "email", "X-Groups", "groups", "X-Level", "level", "X-Admin", "admin"), false);
    }

    /** Short intervals so background behaviour shows within a test. */
    static JwtTuning fastTuning(Clock clock) {
        return JwtTuning.DEFAULTS.withClock(clock).withIntervals(Duration.ofMillis(400), Duration.ofMillis(100),
                Duration.ofMillis(50), Duration.ofMillis(200));
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private final AtomicLong millis;

        MutableClock(Instant start) {
            millis = new AtomicLong(start.toEpochMilli());
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
