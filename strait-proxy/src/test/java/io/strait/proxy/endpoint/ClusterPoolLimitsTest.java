package io.strait.proxy.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.PoolConfig;
import io.strait.proxy.resilience.ClusterResilience;
import io.strait.proxy.resilience.Overflow;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cluster-wide circuit breakers in the HTTP/1.1 pools: maxConnections makes requests wait, maxPendingRequests fails them. */
class ClusterPoolLimitsTest {
    /** Generous per-endpoint limits, so that only the cluster's limits are in play. */
    private static final PoolConfig POOL = new PoolConfig(10, 10, Duration.ofSeconds(60), Duration.ofSeconds(2), 0);

    private final Transport transport = Transport.detect();
    private EventLoopGroup group;
    private EventLoop loop;
    private TestBackend backend;

    @BeforeEach
    void start() throws Exception {
        group = transport.newGroup(1, "pool-test");
        loop = group.next();
        backend = new TestBackend("b");
    }

    @AfterEach
    void stop() {
        backend.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static ClusterResilience limits(int maxConnections, int maxPending) {
        var cb = new CircuitBreakerConfig(maxConnections, maxPending, 0, 0, null);
        var config = new ClusterConfig("web", List.of(), null, null, null, null, null, null, null, cb, null);
        return new ClusterResilience(config, List::of, null);
    }

    private EndpointPool pool(String id, ClusterResilience r) {
        EndpointPool p = new EndpointPool(id, new InetSocketAddress("127.0.0.1", backend.port()), transport, 1, POOL, false);
        p.resilience(r);
        return p;
    }

    private Acquire acquire(EndpointPool p) throws InterruptedException {
        Acquire a = new Acquire();
        loop.submit(() -> p.acquire(loop, a)).sync();
        return a;
    }

    private void onLoop(Runnable r) throws InterruptedException {
        loop.submit(r).sync();
    }

    @Test
    void pastMaxConnectionsRequestsWaitThenPastMaxPendingTheyOverflow() throws Exception {
        ClusterResilience r = limits(1, 1);
        EndpointPool p = pool("a", r);
        UpstreamConnection first = acquire(p).get();
        assertThat(r.connections()).isEqualTo(1);

        Acquire waiting = acquire(p);
        assertThat(waiting.future.isDone()).isFalse();
        assertThat(r.overflows(Overflow.MAX_CONNECTIONS)).isEqualTo(1);
        assertThat(r.pendingRequests()).isEqualTo(1);
        assertThat(p.pendingRequests()).isEqualTo(1);

        Acquire refused = acquire(p);
        assertThat(refused.future).isCompletedExceptionally();
        assertThat(refused.future.handle((c, t) -> t).get()).isInstanceOf(PoolOverflowException.class);
        assertThat(r.overflows(Overflow.MAX_PENDING)).isEqualTo(1);

        onLoop(first::release); // the waiter takes the released connection
        assertThat(waiting.get()).isSameAs(first);
        assertThat(r.pendingRequests()).isZero();
        assertThat(r.connections()).isEqualTo(1);
        // the backend counts a connection when its accept runs, which may trail the client's connect on a busy machine
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(backend.connectionCount()).isEqualTo(1));

        onLoop(first::discard);
        await().atMost(Duration.ofSeconds(2)).until(() -> r.connections() == 0);
    }

    @Test
    void aPoolWithoutConnectionsOpensOnePastTheLimitSoItsWaitersAreNotStranded() throws Exception {
        ClusterResilience r = limits(1, 10);
        EndpointPool a = pool("a", r);
        EndpointPool b = pool("b", r);
        UpstreamConnection ca = acquire(a).get();
        UpstreamConnection cb = acquire(b).get(); // b has none: it may open one anyway, as Envoy's pools do
        assertThat(r.connections()).isEqualTo(2);
        assertThat(r.overflows(Overflow.MAX_CONNECTIONS)).isEqualTo(1);
        // but a second one in b waits
        Acquire waiting = acquire(b);
        assertThat(waiting.future.isDone()).isFalse();
        onLoop(cb::discard); // b's connection closes: the waiter tries again and, with none left in b, connects
        assertThat(waiting.get()).isNotSameAs(cb);
        onLoop(ca::discard);
        onLoop(() -> waiting.future.join().discard());
        await().atMost(Duration.ofSeconds(2)).until(() -> r.connections() == 0 && r.pendingRequests() == 0);
    }

    @Test
    void aFailedConnectGivesItsPlaceBack() throws Exception {
        ClusterResilience r = limits(1, 1);
        EndpointPool p = new EndpointPool("dead", new InetSocketAddress("127.0.0.1", 1), transport, 1, POOL, false);
        p.resilience(r);
        Acquire a = acquire(p);
        await().atMost(Duration.ofSeconds(3)).until(a.future::isDone);
        assertThat(a.future).isCompletedExceptionally();
        assertThat(r.connections()).isZero();
    }

    /** Records what the pool hands out. */
    private static final class Acquire implements PoolCallback {
        final CompletableFuture<UpstreamConnection> future = new CompletableFuture<>();

        @Override
        public void onAcquired(UpstreamConnection connection) {
            future.complete(connection);
        }

        @Override
        public void onAcquireFailed(Throwable cause) {
            future.completeExceptionally(cause);
        }

        UpstreamConnection get() throws Exception {
            return future.get(3, TimeUnit.SECONDS);
        }
    }
}
