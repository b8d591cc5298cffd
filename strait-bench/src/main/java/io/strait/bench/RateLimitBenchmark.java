package io.strait.bench;

import io.strait.gateway.ratelimit.Bucket;
import io.strait.gateway.ratelimit.Rate;
import io.strait.gateway.ratelimit.Verdict;
import io.strait.gateway.ratelimit.local.LocalRateLimitStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One request charged to the local store ({@code acquireNow}, system clock), with 1 and 3 buckets, for one hot client
 * (the same keys every call) and for 10,000 clients in turn. {@code admitted}: every bucket has room (rates too large
 * to run out during a run). {@code refusedByLast}: the last bucket is exhausted, so with 3 buckets the first two are
 * charged and refunded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RateLimitBenchmark {
    private static final int SPREAD_KEYS = 10_000;
    /** 1 µs per request, 1,000 s of burst: a run of ~20 ns calls uses a small share of it. */
    private static final Rate ROOMY = new Rate(1_000_000_000L, Duration.ofSeconds(1000), 1_000_000_000L);
    /** One request a day: exhausted by the warm-up call in setup. */
    private static final Rate EXHAUSTED = new Rate(1, Duration.ofDays(1), 1);
    private static final String[] POLICIES = {"burst", "quota", "route"};

    @Param({"1", "3"})
    int buckets;

    @Param({"hot", "spread"})
    String keys;

    /** One store per benchmark method, so each walks only its own 10,000 x buckets entries. */
    private LocalRateLimitStore store;
    private LocalRateLimitStore refusingStore;
    private List<List<Bucket>> admitted;
    private List<List<Bucket>> refused;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        store = new LocalRateLimitStore();
        refusingStore = new LocalRateLimitStore();
        int clients = keys.equals("hot") ? 1 : SPREAD_KEYS;
        admitted = new ArrayList<>(clients);
        refused = new ArrayList<>(clients);
        for (int c = 0; c < clients; c++) {
            admitted.add(request("c" + c, ROOMY, "ok"));
            List<Bucket> r = request("c" + c, EXHAUSTED, "no");
            refused.add(r);
            refusingStore.acquireNow(r); // takes the last bucket's only request
            if (refusingStore.acquireNow(r).allowed()) throw new IllegalStateException("last bucket not exhausted");
        }
    }

    private List<Bucket> request(String client, Rate last, String tag) {
        List<Bucket> b = new ArrayList<>(buckets);
        for (int i = 0; i < buckets; i++) {
            String policy = POLICIES[i] + "-" + tag;
            b.add(new Bucket(policy, "{" + client + "}:" + policy + ":" + client, client,
                    i == buckets - 1 ? last : ROOMY, true));
        }
        return List.copyOf(b);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        boolean stillRoom = store.acquireNow(admitted.get(0)).allowed();
        store.close();
        refusingStore.close();
        if (!stillRoom) throw new IllegalStateException("the roomy buckets ran out: the numbers measured refusals");
    }

    private int nextIndex(int size) {
        int i = next;
        next = i + 1 == size ? 0 : i + 1;
        return i;
    }

    @Benchmark
    public Verdict admitted() {
        return store.acquireNow(admitted.get(nextIndex(admitted.size())));
    }

    @Benchmark
    public Verdict refusedByLast() {
        return refusingStore.acquireNow(refused.get(nextIndex(refused.size())));
    }
}
