package io.strait.gateway.ratelimit.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.netty.util.Timeout;
import io.strait.config.model.RateLimitsConfig;
import io.strait.gateway.ratelimit.Bucket;
import io.strait.gateway.ratelimit.BucketState;
import io.strait.gateway.ratelimit.MicroClock;
import io.strait.gateway.ratelimit.Rate;
import io.strait.gateway.ratelimit.RateLimitStore;
import io.strait.gateway.ratelimit.RateLimitStoreException;
import io.strait.gateway.ratelimit.Verdict;
import io.strait.gateway.redis.RedisBreaker;
import io.strait.gateway.redis.RedisConnector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buckets in Redis, shared by every gateway replica: one atomic {@link GcraScript} call per request
 * (EVALSHA of the script loaded at start; after a NOSCRIPT, when Redis restarted or failed over, one
 * EVAL that runs it and a SCRIPT LOAD that restores it), on Redis's clock, never blocking the caller.
 * Several gateways sharing one Redis enforce one limit exactly.
 *
 * <p>A standalone Redis charges all of a request's buckets in one call, all or nothing. On a Redis
 * Cluster one script may only touch one slot: buckets are grouped by slot (their keys are hash-tagged,
 * so one client's buckets usually share one) and the groups are charged in parallel. When one group
 * refuses while another admits, the admitting group stays charged: conservative (the request is
 * refused and counted where it was admitted) and rare, only policies whose first descriptors differ
 * ever split.
 *
 * <p>A call slower than the store's timeout fails the stage with {@link RateLimitStoreException} (if
 * its reply comes later, the charge it made stands: conservative again), and a {@link RedisBreaker}
 * turns a dead or hanging Redis into immediate failures. Stages complete on the
 * Redis client's threads: a caller on an event loop hops back to it.
 */
public final class RedisRateLimitStore implements RateLimitStore {
    private static final Logger log = LoggerFactory.getLogger(RedisRateLimitStore.class);

    private final RedisConnector redis;
    private final RedisBreaker breaker;
    private final String prefix;
    private final boolean cluster;
    private final Duration timeout;
    private final LongAdder scriptReloads = new LongAdder();
    private CompletionStage<String> warmedUp;
    /** On the proxy's loops: commands are written as they come and flushed once per loop turn. */
    private final boolean batching;
    private final java.util.concurrent.atomic.AtomicBoolean flushPending = new java.util.concurrent.atomic.AtomicBoolean();

    /** A store for {@code config} (type redis), with the default breaker. */
    public RedisRateLimitStore(RateLimitsConfig.Store config) {
        this(config, new RedisBreaker(), null);
    }

    /** A store whose connection runs on {@code loops} (the proxy's event loops; null for threads of its own). */
    public RedisRateLimitStore(RateLimitsConfig.Store config, io.netty.channel.EventLoopGroup loops) {
        this(config, new RedisBreaker(), loops);
    }

    /** A store with its own breaker (tests), on connection threads of its own. */
    public RedisRateLimitStore(RateLimitsConfig.Store config, RedisBreaker breaker) {
        this(config, breaker, null);
    }

    /**
     * @throws IllegalArgumentException when the URI is malformed or the key prefix has a hash-tag brace
     *     (it would move every key's slot)
     */
    public RedisRateLimitStore(RateLimitsConfig.Store config, RedisBreaker breaker, io.netty.channel.EventLoopGroup loops) {
        this.prefix = config.keyPrefix() == null ? RateLimitsConfig.DEFAULT_KEY_PREFIX : config.keyPrefix();
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("rate limit key prefix must not contain '{' or '}' (Redis Cluster hash tags)");
        }
        this.timeout = config.timeout() == null ? RateLimitsConfig.DEFAULT_TIMEOUT : config.timeout();
        this.cluster = config.cluster();
        this.breaker = breaker;
        // No Lettuce command timeout (a timer entry per command): this store times out every call itself, and
        // once Redis hangs its breaker lets through one probe a second, so unanswered commands stay few.
        this.redis = new RedisConnector(config.uri(), cluster, null, "rate limits", loops);
        this.batching = loops != null;
        log.info("rate limits: using {} (prefix {}, timeout {} ms)", redis.where(), prefix, timeout.toMillis());
        warmUp();
    }

    /**
     * Connects and loads the script (on every master of a cluster) in the background, so the first
     * request finds both ready. Failures only log: requests connect and send the script themselves.
     */
    private void warmUp() {
        warmedUp = redis.connection().thenCompose(c -> {
            if (batching) c.stateful().setAutoFlushCommands(false);
            RedisFuture<String> load = c.async().scriptLoad(GcraScript.SOURCE);
            flushSoon(c);
            return load;
        }).whenComplete((sha, e) -> {
            if (e != null) log.debug("rate limits: script not preloaded: {}", unwrap(e).getClass().getSimpleName());
            else if (!GcraScript.SHA.equals(sha)) log.warn("rate limits: {} reports script SHA {}, expected {}", redis.where(), sha, GcraScript.SHA);
        });
    }

    @Override
    public CompletionStage<Verdict> acquire(List<Bucket> buckets) {
        if (buckets.isEmpty()) return CompletableFuture.completedFuture(new Verdict(true, List.of(), MicroClock.SYSTEM.nowMicros()));
        if (!breaker.tryAcquire()) {
            return CompletableFuture.failedFuture(new RateLimitStoreException(redis.where() + ": circuit breaker open"));
        }
        CompletableFuture<Verdict> result = new CompletableFuture<>();
        result.whenComplete((v, e) -> {
            if (e == null) breaker.onSuccess();
            else breaker.onFailure();
        });
        io.netty.util.concurrent.EventExecutor loop = batching && !cluster
                ? io.netty.util.internal.ThreadExecutorMap.currentExecutor() : null;
        if (loop != null) {
            Batch b = turn.get();
            if (b == null) {
                Batch opened = new Batch();
                try {
                    loop.execute(() -> send(opened));
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    result.completeExceptionally(storeError(stopping));
                    return result;
                }
                turn.set(opened);
                b = opened;
            }
            b.requests.add(buckets);
            b.results.add(result);
            return result;
        }
        try {
            Timeout timer = redis.schedule(() -> result.completeExceptionally(timedOut()), timeout);
            charge(buckets).whenComplete((v, e) -> {
                timer.cancel();
                if (e == null) result.complete(v);
                else result.completeExceptionally(storeError(e));
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(storeError(e));
        }
        return result;
    }

    /**
     * Waits (on the caller's thread: the control thread, never an event loop) until the connection is up
     * and the script loaded, at most {@code limit}; true when it is. A gateway starting next to its
     * Redis then charges its first requests there instead of failing them over.
     */
    @Override
    public boolean awaitReady(Duration limit) {
        return RateLimitStore.await(warmedUp.toCompletableFuture(), limit);
    }

    /**
     * The requests one loop charged during one turn of its loop: sent as one script call when the turn
     * ends, so N requests cost Redis and the connection one call instead of N.
     */
    private static final class Batch {
        final List<List<Bucket>> requests = new ArrayList<>();
        final List<CompletableFuture<Verdict>> results = new ArrayList<>();
    }

    /** The batch the current loop is filling, or null. */
    private final io.netty.util.concurrent.FastThreadLocal<Batch> turn = new io.netty.util.concurrent.FastThreadLocal<>();

    /** At the end of the loop's turn: the batch goes out as one call; each request gets its own verdict. */
    private void send(Batch batch) {
        turn.remove();
        Timeout timer = redis.schedule(() -> {
            for (CompletableFuture<Verdict> r : batch.results) r.completeExceptionally(timedOut());
        }, timeout);
        redis.connection().thenCompose(c -> {
            int n = batch.requests.size();
            int[] sizes = new int[n];
            List<List<Rate>> rates = new ArrayList<>(n);
            int total = 0;
            for (List<Bucket> req : batch.requests) total += req.size();
            String[] keys = new String[total];
            int k = 0;
            for (int i = 0; i < n; i++) {
                List<Bucket> req = batch.requests.get(i);
                sizes[i] = req.size();
                List<Rate> rs = new ArrayList<>(req.size());
                for (Bucket b : req) {
                    keys[k++] = prefix + b.key();
                    rs.add(b.rate());
                }
                rates.add(rs);
            }
            CompletableFuture<List<Object>> reply = run(c, keys, GcraScript.batchArgs(rates));
            c.stateful().flushCommands(); // this task is the turn's end
            return reply.thenApply(list -> GcraScript.parse(list, sizes));
        }).whenComplete((replies, e) -> {
            timer.cancel();
            for (int i = 0; i < batch.results.size(); i++) {
                if (e != null) {
                    batch.results.get(i).completeExceptionally(storeError(e));
                } else {
                    GcraScript.Reply r = replies[i];
                    batch.results.get(i).complete(new Verdict(r.allowed(), List.of(r.states()), r.nowMicros()));
                }
            }
        });
    }

    private RateLimitStoreException timedOut() {
        return new RateLimitStoreException(redis.where() + " did not answer within " + timeout.toMillis() + " ms");
    }

    /** Whether Redis is thought reachable: false while the breaker is open. */
    @Override
    public boolean healthy() {
        return breaker.state() != RedisBreaker.State.OPEN;
    }

    /** The breaker's state and counters, for {@code /metrics}. */
    public RedisBreaker breaker() {
        return breaker;
    }

    /** Times Redis had lost the script (NOSCRIPT) and was sent it again. */
    public long scriptReloads() {
        return scriptReloads.sum();
    }

    /** {@code Redis at host:port} or {@code Redis Cluster at host:port}: no password. */
    public String describe() {
        return redis.where();
    }

    @Override
    public void close() {
        redis.close();
    }

    /** Charges every bucket: one script call per slot group (one group unless on a cluster), in parallel. */
    private CompletableFuture<Verdict> charge(List<Bucket> buckets) {
        return redis.connection().thenCompose(c -> {
            List<int[]> groups = cluster ? slotGroups(prefix, buckets) : List.of(allIndexes(buckets.size()));
            if (groups.size() == 1) {
                CompletableFuture<GcraScript.Reply> one = call(c, buckets, groups.get(0));
                flushSoon(c);
                return one.thenApply(r -> new Verdict(r.allowed(), List.of(r.states()), r.nowMicros()));
            }
            List<CompletableFuture<GcraScript.Reply>> calls = new ArrayList<>(groups.size());
            for (int[] g : groups) calls.add(call(c, buckets, g));
            flushSoon(c);
            return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                    .thenApply(x -> combine(buckets.size(), groups, calls.stream().map(CompletableFuture::join).toList()));
        });
    }

    /** One script call for the buckets at {@code indexes}. */
    private CompletableFuture<GcraScript.Reply> call(RedisConnector.Connection c, List<Bucket> buckets, int[] indexes) {
        String[] keys = new String[indexes.length];
        List<Rate> rates = new ArrayList<>(indexes.length);
        for (int i = 0; i < indexes.length; i++) {
            Bucket b = buckets.get(indexes[i]);
            keys[i] = prefix + b.key();
            rates.add(b.rate());
        }
        return run(c, keys, GcraScript.args(rates)).thenApply(list -> GcraScript.parse(list, indexes.length));
    }

    /** EVALSHA of the script; a NOSCRIPT answer (Redis restarted, flushed or failed over) is retried once with EVAL. */
    private CompletableFuture<List<Object>> run(RedisConnector.Connection c, String[] keys, String[] args) {
        RedisClusterAsyncCommands<String, String> r = c.async();
        return r.<List<Object>>evalsha(GcraScript.SHA, ScriptOutputType.MULTI, keys, args)
                .toCompletableFuture()
                .exceptionallyCompose(e -> {
                    if (!(unwrap(e) instanceof RedisNoScriptException)) return CompletableFuture.failedFuture(e);
                    // the script never ran: EVAL runs it once and caches it; SCRIPT LOAD pins it (on every node of a cluster)
                    scriptReloads.increment();
                    r.scriptLoad(GcraScript.SOURCE);
                    CompletableFuture<List<Object>> eval = r.<List<Object>>eval(GcraScript.SOURCE, ScriptOutputType.MULTI, keys, args)
                            .toCompletableFuture();
                    flushSoon(c);
                    return eval;
                });
    }

    /**
     * Sends what was written: at once off the proxy's loops; on a loop, once at the end of its turn, so
     * the requests one turn reads share one write to Redis instead of one system call each.
     */
    private void flushSoon(RedisConnector.Connection c) {
        if (!batching) return; // auto-flush: every command went out as it was written
        io.netty.util.concurrent.EventExecutor loop = io.netty.util.internal.ThreadExecutorMap.currentExecutor();
        if (loop == null) {
            c.stateful().flushCommands();
        } else if (flushPending.compareAndSet(false, true)) {
            loop.execute(() -> {
                flushPending.set(false);
                c.stateful().flushCommands();
            });
        }
    }

    /**
     * Buckets grouped by the Redis Cluster slot of their keys, in first-seen order: buckets with equal
     * hash tags (the usual case: one client's buckets) form one group.
     */
    static List<int[]> slotGroups(String prefix, List<Bucket> buckets) {
        Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
        for (int i = 0; i < buckets.size(); i++) {
            bySlot.computeIfAbsent(SlotHash.getSlot(prefix + buckets.get(i).key()), s -> new ArrayList<>()).add(i);
        }
        List<int[]> groups = new ArrayList<>(bySlot.size());
        for (List<Integer> g : bySlot.values()) groups.add(g.stream().mapToInt(Integer::intValue).toArray());
        return groups;
    }

    /**
     * The answers of several slot groups as one verdict: admitted only when every group admitted. A
     * group that admitted stays charged (its states say so); the verdict's clock is the latest node's.
     */
    static Verdict combine(int n, List<int[]> groups, List<GcraScript.Reply> replies) {
        BucketState[] states = new BucketState[n];
        boolean allowed = true;
        long now = Long.MIN_VALUE;
        for (int g = 0; g < groups.size(); g++) {
            GcraScript.Reply r = replies.get(g);
            allowed &= r.allowed();
            now = Math.max(now, r.nowMicros());
            int[] indexes = groups.get(g);
            for (int i = 0; i < indexes.length; i++) states[indexes[i]] = r.states()[i];
        }
        return new Verdict(allowed, List.of(states), now);
    }

    private static int[] allIndexes(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
        return e;
    }

    /** Every failure as a {@link RateLimitStoreException} naming host:port; Redis's own error text is kept. */
    private RateLimitStoreException storeError(Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof RateLimitStoreException r) return r;
        String detail = cause instanceof RedisCommandExecutionException ? ": " + cause.getMessage() : "";
        return new RateLimitStoreException(redis.where() + " failed: " + cause.getClass().getSimpleName() + detail, cause);
    }
}
