package io.strait.gateway;

import io.strait.config.model.ApiKeysConfig;
import io.strait.config.model.JwtProviderConfig;
import io.strait.gateway.apikey.ApiKeyAuthenticator;
import io.strait.gateway.auth.Authenticator;
import io.strait.gateway.auth.AuthenticatorFactory;
import io.strait.gateway.jwt.JwtAuthenticator;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The real authenticators: JWT providers share one HTTP client (JWKS fetches, non-blocking) and one
 * scheduler thread (key refreshes, file checks); each API-key configuration opens its store.
 */
public final class StandardAuthenticators implements AuthenticatorFactory {
    /** JWKS endpoints answer in milliseconds; a slow connect must not hold a refresh for long. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "strait-auth");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    @Override
    public Authenticator jwt(JwtProviderConfig provider) {
        return new JwtAuthenticator(provider, http, scheduler);
    }

    @Override
    public Authenticator apiKeys(ApiKeysConfig apiKeys) {
        return ApiKeyAuthenticator.create(apiKeys);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        http.close();
    }
}
