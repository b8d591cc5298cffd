package io.strait.gateway.ratelimit.hybrid;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lettuce connection to Redis for the hybrid store. While Redis is unreachable commands fail at once
 * (nothing queues) and Lettuce reconnects in the background; a first connect that fails is retried on the
 * next use after {@link #RECONNECT_BACKOFF}. Logs name host:port only: the URI may carry a password.
 * A stand-in until the gateway shares one Redis connector between its stores.
 */
public final class HybridRedisConnection implements AutoCloseable {
    /** Connecting to a Redis on the same network takes milliseconds; a second means it is not there. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** After a failed first connect, the next attempt waits this long: a sync round every 100 ms must not hammer a dead host. */
    public static final Duration RECONNECT_BACKOFF = Duration.ofMillis(500);
    /** Reconnect attempts back off up to this: a Redis back after an outage is used again within about a second. */
    public static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);
    /** One sync thread's calls need little, and Lettuce's minimum is two. */
    private static final int IO_THREADS = 2;
    private static final Logger log = LoggerFactory.getLogger(HybridRedisConnection.class);

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final String where;
    private final Object lock = new Object();
    private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;
    private long lastAttemptNanos;

    /**
     * @param redisUri {@code redis://[:password@]host:port[/db]}
     * @param commandTimeout a command not answered within this fails
     */
    public HybridRedisConnection(String redisUri, Duration commandTimeout) {
        this.uri = parse(redisUri, commandTimeout);
        this.where = uri.getHost() + ":" + uri.getPort();
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(IO_THREADS)
                .computationThreadPoolSize(IO_THREADS)
                .reconnectDelay(() -> Delay.exponential(Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .build());
    }

    private static RedisURI parse(String s, Duration timeout) {
        try {
            URI check = new URI(s);
            if (check.getHost() == null || !("redis".equals(check.getScheme()) || "rediss".equals(check.getScheme()))) {
                throw new IllegalArgumentException();
            }
            RedisURI u = RedisURI.create(s);
            u.setTimeout(timeout);
            return u;
        } catch (RuntimeException | URISyntaxException e) {
            throw new IllegalArgumentException("invalid Redis URI (expected redis://[:password@]host:port[/db])");
        }
    }

    /** host:port, for logs and errors. */
    public String describe() {
        return where;
    }

    /** The connection, once connected; failed while a first connect is failing. */
    public CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
        if (c != null && !c.isCompletedExceptionally()) return c;
        synchronized (lock) {
            c = connection;
            long now = System.nanoTime();
            boolean backingOff = now - lastAttemptNanos < RECONNECT_BACKOFF.toNanos();
            if (c != null && (!c.isCompletedExceptionally() || backingOff)) return c;
            lastAttemptNanos = now;
            c = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
            c.whenComplete((conn, e) -> {
                if (e != null) log.warn("rate limits: cannot reach Redis at {}", where);
                else log.info("rate limits: connected to Redis at {}", where);
            });
            connection = c;
            return c;
        }
    }

    @Override
    public void close() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
