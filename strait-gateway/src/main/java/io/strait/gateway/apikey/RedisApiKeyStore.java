package io.strait.gateway.apikey;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * Revoking rewrites the record with status revoked and keeps it. Lookups use the async API on one
 * shared connection; while Redis is unreachable commands fail at once (nothing queues up) and Lettuce
 * reconnects in the background. Logs name host:port only: the URI may carry a password.
 */
public final class RedisApiKeyStore implements ApiKeyStore {
    /** A lookup that takes longer than this fails (503 unless cached): a slow Redis must not hold requests long. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    /** Connecting to a local or same-zone Redis takes milliseconds; a second means it is not there. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** After a failed first connect, lookups fail fast for this long before the next attempt. */
    public static final Duration RECONNECT_BACKOFF = Duration.ofMillis(500);
    /** Reconnect attempts back off up to this: a Redis back after an outage serves again within about a second. */
    public static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);
    /** One connection carries every lookup: two I/O threads are plenty, and keep the thread count small. */
    private static final int IO_THREADS = 2;
    private static final Logger log = LoggerFactory.getLogger(RedisApiKeyStore.class);

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final String prefix;
    private final String where;
    private final Object lock = new Object();
    private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;
    private long lastAttemptNanos;

    /**
     * @param redisUri {@code redis://[:password@]host:port[/db]}
     * @param keyPrefix prefix of every key this store writes
     */
    public RedisApiKeyStore(String redisUri, String keyPrefix) {
        this.uri = parse(redisUri);
        this.prefix = keyPrefix == null ? "strait:apikey:" : keyPrefix;
        this.where = "Redis at " + uri.getHost() + ":" + uri.getPort() + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(IO_THREADS)
                .computationThreadPoolSize(IO_THREADS)
                .reconnectDelay(() -> Delay.exponential(Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .build());
        log.info("API keys: using {} (prefix {})", where, prefix);
    }

    private static RedisURI parse(String s) {
        try {
            java.net.URI check = new java.net.URI(s);
            if (check.getHost() == null || !("redis".equals(check.getScheme()) || "rediss".equals(check.getScheme()))) {
                throw new IllegalArgumentException();
            }
            RedisURI u = RedisURI.create(s);
            u.setTimeout(COMMAND_TIMEOUT);
            return u;
        } catch (RuntimeException | java.net.URISyntaxException e) {
            throw new ApiKeyStoreException("invalid Redis URI (expected redis://[:password@]host:port[/db])");
        }
    }

    @Override
    public CompletionStage<Optional<ApiKeyRecord>> lookup(String hash) {
        return connection()
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
        // closes the connection too
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
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

    /** The shared connection; a failed first connect is retried after {@link #RECONNECT_BACKOFF}. */
    private CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
        if (c != null && !c.isCompletedExceptionally()) return c;
        synchronized (lock) {
            c = connection;
            long now = System.nanoTime();
            if (c != null && (!c.isCompletedExceptionally() || now - lastAttemptNanos < RECONNECT_BACKOFF.toNanos())) {
                return c;
            }
            lastAttemptNanos = now;
            c = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
            c.whenComplete((conn, e) -> {
                if (e != null) log.warn("API keys: cannot reach {}", where);
                else log.info("API keys: connected to {}", where);
            });
            connection = c;
            return c;
        }
    }

    /** Runs blocking management commands; every failure becomes an {@link ApiKeyStoreException} naming host:port. */
    private <T> T sync(Function<RedisCommands<String, String>, T> work) {
        StatefulRedisConnection<String, String> c;
        try {
            c = connection().get(CONNECT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
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
