package io.strait.gateway.apikey;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.strait.gateway.redis.RedisConnector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key records in Redis, shared by every gateway replica. Layout under the prefix {@code P}
 * (default {@code strait:apikey:}):
 * <ul>
 *   <li>{@code P<sha256 hex>}: the record as a JSON string (one GET per lookup, written whole)
 *   <li>{@code P id:<id>}: the hash of key {@code id} (for revoke)
 *   <li>{@code P ids}: the set of ids (for list)
 * </ul>
 * Revoking rewrites the record with status revoked and keeps it. Lookups use the async API on the
 * {@link RedisConnector}'s shared connection: while Redis is unreachable they fail at once and the
 * connection comes back by itself. Logs and errors name host:port only: the URI may carry a password.
 */
public final class RedisApiKeyStore implements ApiKeyStore {
    /** A lookup that takes longer than this fails (503 unless cached): a slow Redis must not hold requests long. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(RedisApiKeyStore.class);

    private final RedisConnector redis;
    private final String prefix;
    private final String where;

    /**
     * @param redisUri {@code redis://[:password@]host:port[/db]}
     * @param keyPrefix prefix of every key this store writes
     */
    public RedisApiKeyStore(String redisUri, String keyPrefix) {
        try {
            this.redis = new RedisConnector(redisUri, false, COMMAND_TIMEOUT, "API keys");
        } catch (IllegalArgumentException e) {
            throw new ApiKeyStoreException(e.getMessage());
        }
        this.prefix = keyPrefix == null ? "strait:apikey:" : keyPrefix;
        this.where = redis.where();
        log.info("API keys: using {} (prefix {})", where, prefix);
    }

    /**
     * Waits at most {@code limit} for the first connection, so that a password Redis refuses stops a start or a reload
     * ({@link RedisConnector.AuthenticationFailed}); an outage is no error: lookups answer 503 until Redis is back.
     */
    public void checkCredentials(java.time.Duration limit) {
        try {
            redis.connection().get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof RedisConnector.AuthenticationFailed a) throw a;
            }
        } catch (java.util.concurrent.TimeoutException e) {
            // not there yet: the first lookups tell
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public CompletionStage<Optional<ApiKeyRecord>> lookup(String hash) {
        return redis.connection()
                .thenCompose(c -> c.async().get(prefix + hash))
                .thenApply(json -> json == null ? Optional.empty() : Optional.ofNullable(parse(hash, json)));
    }

    @Override
    public void create(String hash, ApiKeyRecord record) {
        if (!ApiKeys.validHash(hash)) throw new IllegalArgumentException("not a SHA-256 hex hash");
        String json = ApiKeyJson.write(hash, record).toString();
        sync(r -> {
            if (r.exists(idKey(record.id())) > 0) throw new ApiKeyStoreException("key id " + record.id() + " already exists");
            // index first: a crash in between leaves an id without a record (listed as nothing, never a usable key)
            r.sadd(prefix + "ids", record.id());
            r.set(idKey(record.id()), hash);
            if (r.set(prefix + hash, json, SetArgs.Builder.nx()) == null) {
                throw new ApiKeyStoreException("a key with this hash already exists");
            }
            return null;
        });
    }

    @Override
    public List<ApiKeyRecord> list() {
        return sync(r -> {
            List<ApiKeyRecord> out = new ArrayList<>();
            for (String id : r.smembers(prefix + "ids")) {
                String hash = r.get(idKey(id));
                String json = hash == null ? null : r.get(prefix + hash);
                if (json != null) out.add(parse(hash, json));
            }
            out.sort(Comparator.comparing(ApiKeyRecord::createdAt).thenComparing(ApiKeyRecord::id));
            return out;
        });
    }

    @Override
    public Optional<ApiKeyRecord> revoke(String id) {
        return sync(r -> {
            String hash = r.get(idKey(id));
            String json = hash == null ? null : r.get(prefix + hash);
            if (json == null) return Optional.empty();
            ApiKeyRecord revoked = parse(hash, json).withStatus(ApiKeyRecord.Status.REVOKED);
            r.set(prefix + hash, ApiKeyJson.write(hash, revoked).toString(), SetArgs.Builder.xx());
            return Optional.of(revoked);
        });
    }

    @Override
    public String describe() {
        return where;
    }

    @Override
    public void close() {
        redis.close();
    }

    private String idKey(String id) {
        return prefix + "id:" + id;
    }

    private ApiKeyRecord parse(String hash, String json) {
        try {
            JsonNode o = ApiKeyJson.MAPPER.readTree(json);
            if (!ApiKeys.hashEquals(ApiKeyJson.hash(o), hash)) {
                throw new IllegalArgumentException("record under the hash holds another hash");
            }
            return ApiKeyJson.read(o);
        } catch (Exception e) {
            throw new ApiKeyStoreException(where + ": bad key record: " + e.getMessage(), e);
        }
    }

    /** Runs blocking management commands; every failure becomes an {@link ApiKeyStoreException} naming host:port. */
    private <T> T sync(Function<RedisClusterCommands<String, String>, T> work) {
        RedisConnector.Connection c;
        try {
            c = redis.connection().get(RedisConnector.CONNECT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiKeyStoreException("interrupted while connecting to " + where);
        } catch (ExecutionException | TimeoutException | CompletionException e) {
            throw new ApiKeyStoreException("cannot reach " + where);
        }
        try {
            return work.apply(c.sync());
        } catch (ApiKeyStoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ApiKeyStoreException(where + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }
}
