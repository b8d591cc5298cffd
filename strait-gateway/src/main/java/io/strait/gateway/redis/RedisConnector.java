package io.strait.gateway.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shared connection to a standalone Redis or a Redis Cluster, opened on first use. While Redis is
 * unreachable commands fail at once (nothing queues up behind a dead connection) and Lettuce reconnects
 * in the background with a short backoff; a failed first connect is retried on use after
 * {@link #RECONNECT_BACKOFF}. Logs and {@link #where()} name host:port only: the URI may carry a password.
 *
 * <p>Replies complete on Lettuce's own I/O threads, never on a caller's event loop: callers that must
 * continue on their loop hop back themselves.
 */
public final class RedisConnector implements AutoCloseable {
    /** Connecting to a local or same-zone Redis takes milliseconds; a second means it is not there. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** After a failed first connect, callers fail fast for this long before the next attempt. */
    public static final Duration RECONNECT_BACKOFF = Duration.ofMillis(500);
    /** The first reconnect comes almost at once: a restarted or failed-over Redis is often back immediately. */
    public static final Duration MIN_RECONNECT_DELAY = Duration.ofMillis(10);
    /** Reconnect attempts back off up to this: a Redis back after an outage serves again within about a second. */
    public static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);
    /** A cluster's topology is re-read this often even without redirects, to notice failovers and new nodes. */
    public static final Duration CLUSTER_REFRESH_PERIOD = Duration.ofSeconds(30);
    /**
     * The deadline timer's tick: deadlines fire within 10 ms (a 100 ms budget stays about 100 ms), and a
     * wheel's per-deadline cost is a queue insert, cheap enough for one deadline per request.
     */
    public static final Duration TIMER_TICK = Duration.ofMillis(10);
    /** One connection (or one per cluster node) carries every command: two I/O threads are plenty and keep the thread count small. */
    private static final int IO_THREADS = 2;
    private static final String URI_FORMAT = "invalid Redis URI (expected redis://[:password@]host:port[/db])";
    private static final Logger log = LoggerFactory.getLogger(RedisConnector.class);

    /**
     * Commands on the shared connection. Both views are the interfaces a standalone connection and a
     * cluster connection have in common; on a cluster, single-key commands and scripts are routed to the
     * node owning the (first) key's slot.
     */
    public record Connection(RedisClusterAsyncCommands<String, String> async, RedisClusterCommands<String, String> sync,
            StatefulConnection<String, String> stateful) {}

    private final String purpose;
    private final String where;
    private final ClientResources resources;
    private final HashedWheelTimer timer;
    private final AbstractRedisClient client;
    private final RedisURI uri;
    private final Object lock = new Object();
    private volatile CompletableFuture<Connection> connection;
    private volatile StatefulConnection<String, String> opened;
    private long lastAttemptNanos;
    private boolean quietFailures;

    /**
     * @param redisUri {@code redis://[:password@]host:port[/db]} (for a cluster: any one node)
     * @param cluster whether {@code redisUri} names a Redis Cluster node
     * @param commandTimeout a command without a reply after this fails; null when the caller times out its own calls
     * @param purpose what the connection is for, in logs ("API keys", "rate limits")
     * @throws IllegalArgumentException when the URI is malformed (the message never repeats the URI)
     */
    public RedisConnector(String redisUri, boolean cluster, Duration commandTimeout, String purpose) {
        this(redisUri, cluster, commandTimeout, purpose, null);
    }

    /**
     * As {@link #RedisConnector(String, boolean, Duration, String)}, with Lettuce's I/O on {@code loops} (the
     * proxy's event loops; null, or loops of another transport: threads of its own).
     */
    public RedisConnector(String redisUri, boolean cluster, Duration commandTimeout, String purpose,
            io.netty.channel.EventLoopGroup loops) {
        this.uri = parse(redisUri, commandTimeout);
        this.purpose = purpose;
        this.where = (cluster ? "Redis Cluster at " : "Redis at ") + uri.getHost() + ":" + uri.getPort()
                + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
        this.timer = new HashedWheelTimer(new DefaultThreadFactory("strait-redis-timer", true),
                TIMER_TICK.toMillis(), TimeUnit.MILLISECONDS);
        DefaultClientResources.Builder resources = DefaultClientResources.builder()
                .timer(timer)
                .ioThreadPoolSize(IO_THREADS)
                .computationThreadPoolSize(IO_THREADS)
                .reconnectDelay(() -> Delay.exponential(MIN_RECONNECT_DELAY, MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS));
        SharedEventLoops shared = SharedEventLoops.of(loops);
        if (shared != null) resources.eventLoopGroupProvider(shared);
        this.resources = resources.build();
        // null: the caller times its calls out itself (no timer entry per command here)
        TimeoutOptions timeouts = commandTimeout == null ? TimeoutOptions.builder().timeoutCommands(false).build()
                : TimeoutOptions.enabled(commandTimeout);
        SocketOptions socket = SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build();
        if (cluster) {
            RedisClusterClient c = RedisClusterClient.create(this.resources, uri);
            c.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(timeouts)
                    .socketOptions(socket)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers()
                            .enablePeriodicRefresh(CLUSTER_REFRESH_PERIOD)
                            .build())
                    .build());
            this.client = c;
        } else {
            RedisClient c = RedisClient.create(this.resources, uri);
            c.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(timeouts)
                    .socketOptions(socket)
                    .build());
            this.client = c;
        }
    }

    private static RedisURI parse(String s, Duration commandTimeout) {
        try {
            java.net.URI check = new java.net.URI(s);
            if (check.getHost() == null || !("redis".equals(check.getScheme()) || "rediss".equals(check.getScheme()))) {
                throw new IllegalArgumentException();
            }
            RedisURI u = RedisURI.create(s);
            if (commandTimeout != null) u.setTimeout(commandTimeout);
            return u;
        } catch (RuntimeException | java.net.URISyntaxException e) {
            throw new IllegalArgumentException(URI_FORMAT);
        }
    }

    /** {@code Redis at host:port[/db]} or {@code Redis Cluster at host:port}: safe to log and show. */
    public String where() {
        return where;
    }

    /**
     * The shared connection, connecting on first use. The future fails while a first connect fails (for
     * {@link #RECONNECT_BACKOFF} after each attempt); once connected it stays, and Lettuce reconnects it.
     */
    public CompletableFuture<Connection> connection() {
        CompletableFuture<Connection> c = connection;
        if (c != null && !c.isCompletedExceptionally()) return c;
        synchronized (lock) {
            c = connection;
            long now = System.nanoTime();
            if (c != null && (!c.isCompletedExceptionally() || now - lastAttemptNanos < RECONNECT_BACKOFF.toNanos())) {
                return c;
            }
            lastAttemptNanos = now;
            c = connect();
            c.whenComplete(this::logAttempt);
            connection = c;
            return c;
        }
    }

    /** Starts connecting on the connector's own threads: resolving the host may block, the caller may be an event loop. */
    private CompletableFuture<Connection> connect() {
        CompletableFuture<Connection> out = new CompletableFuture<>();
        Runnable start = () -> {
            CompletableFuture<Connection> c;
            try {
                c = client instanceof RedisClusterClient cc
                        // a cluster connection needs the topology first; reading it asynchronously keeps this non-blocking
                        ? cc.refreshPartitionsAsync().toCompletableFuture()
                                .thenCompose(loaded -> cc.connectAsync(StringCodec.UTF8))
                                .thenCompose(this::openNodeConnections)
                        : ((RedisClient) client).connectAsync(StringCodec.UTF8, uri).toCompletableFuture()
                                .thenApply(conn -> {
                                    opened = conn;
                                    return new Connection(conn.async(), conn.sync(), conn);
                                });
            } catch (RuntimeException e) {
                // Lettuce may throw rather than fail the future (a cluster seed it cannot resolve)
                c = CompletableFuture.failedFuture(e);
            }
            c.whenComplete((conn, e) -> {
                if (e == null) out.complete(conn);
                else out.completeExceptionally(authenticationFailure(e));
            });
        };
        try {
            resources.eventExecutorGroup().execute(start);
        } catch (RejectedExecutionException closed) {
            out.completeExceptionally(new IllegalStateException(purpose + ": the Redis connector is closed"));
        }
        return out;
    }

    /**
     * Opens the connections to every master before the first command: with REJECT_COMMANDS Lettuce also
     * rejects a command whose node connection is still opening, so without this each node's first
     * command would fail. A node that cannot be reached does not fail the whole connection (its slots
     * fail until it is back); later topology changes open new nodes' connections on first use.
     */
    private CompletableFuture<Connection> openNodeConnections(StatefulRedisClusterConnection<String, String> conn) {
        opened = conn;
        List<CompletableFuture<?>> nodes = new ArrayList<>();
        for (RedisClusterNode n : conn.getPartitions()) {
            if (n.is(RedisClusterNode.NodeFlag.UPSTREAM)) nodes.add(conn.getConnectionAsync(n.getUri().getHost(), n.getUri().getPort()));
        }
        return CompletableFuture.allOf(nodes.toArray(CompletableFuture[]::new))
                .handle((all, someFailed) -> new Connection(conn.async(), conn.sync(), conn));
    }

    /**
     * Thrown (as the cause of a failed {@link #connection()}) when Redis refuses the URI's credentials: a mistake in the
     * configuration, not an outage, so that starting or reloading refuses it. The message names the address and Redis'
     * error code only, never the password.
     */
    public static final class AuthenticationFailed extends RuntimeException {
        AuthenticationFailed(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code e} as {@link AuthenticationFailed} when Redis refused the credentials (WRONGPASS, NOAUTH, AUTH errors), else itself. */
    private Throwable authenticationFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.lettuce.core.RedisCommandExecutionException && t.getMessage() != null) {
                String m = t.getMessage();
                String code = m.split(" ", 2)[0];
                if (code.equals("WRONGPASS") || code.equals("NOAUTH") || m.startsWith("ERR AUTH") || m.startsWith("ERR invalid password")
                        || m.contains("-NOAUTH")) {
                    return new AuthenticationFailed(where + ": authentication failed (Redis answered " + code + ")");
                }
            }
        }
        return e;
    }

    /** What made a connect fail, safe to log (no URI, no password). */
    private static String reason(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationFailed) return "authentication failed";
            root = t;
        }
        if (root instanceof java.net.ConnectException) return "connection refused";
        if (root instanceof java.net.UnknownHostException) return "unknown host";
        if (root instanceof io.netty.channel.ConnectTimeoutException) return "connect timed out";
        return root.getClass().getSimpleName();
    }

    /** The first failure in a row is a warning, the retries that follow are debug lines: no log flood during an outage. */
    private void logAttempt(Connection conn, Throwable e) {
        synchronized (lock) {
            if (e == null) {
                quietFailures = false;
                log.info("{}: connected to {}", purpose, where);
            } else if (!quietFailures) {
                quietFailures = true;
                log.warn("{}: cannot reach {} ({}); retrying while it is used", purpose, where, reason(e));
            } else {
                log.debug("{}: still cannot reach {}", purpose, where);
            }
        }
    }

    /**
     * Runs {@code task} after {@code delay} on the connector's timer thread (also Lettuce's command-timeout
     * timer), unless cancelled first; for per-request deadlines. The task must be quick.
     */
    public Timeout schedule(Runnable task, Duration delay) {
        return timer.newTimeout(t -> task.run(), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        // closed first: a cluster client's shutdown would otherwise close each node connection twice (and warn)
        StatefulConnection<String, String> open = opened;
        if (open != null) open.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
        timer.stop(); // ours, so Lettuce leaves it running

    }
}
