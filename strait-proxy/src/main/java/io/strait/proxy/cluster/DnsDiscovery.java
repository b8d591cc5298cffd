package io.strait.proxy.cluster;

import io.strait.proxy.transport.Transport;

import io.netty.channel.EventLoop;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a cluster's DNS names without blocking, at start and then every refresh interval, with
 * Netty's resolver (which answers from /etc/hosts first). A failed lookup is logged and leaves that
 * name's last good addresses in place.
 */
final class DnsDiscovery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsDiscovery.class);
    /**
     * Like Envoy's default V4_PREFERRED: ask for both families, use the IPv4 addresses when there are
     * any. Upstreams commonly listen on 127.0.0.1 or 0.0.0.0 only, so `localhost`'s ::1 would fail.
     */
    static final ResolvedAddressTypes ADDRESS_TYPES = ResolvedAddressTypes.IPV4_PREFERRED;
    /** A lookup slower than this fails and is retried at the next refresh (Netty's default is 5 s). */
    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

    private final String cluster;
    private final List<String> names;
    private final Duration refresh;
    private final EventLoop loop;
    private final DnsNameResolver resolver;
    /** Called with (name index, addresses) for every successful lookup. */
    private final BiConsumer<Integer, List<InetAddress>> onResolved;
    private final CompletableFuture<Void> firstRound = new CompletableFuture<>();
    /** Per name, whether its last lookup failed: only the first failure in a row is a warning. Loop-confined. */
    private final boolean[] failing;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> next;

    /**
     * @param nameServers where queries go, or null for the system's (resolv.conf)
     */
    DnsDiscovery(String cluster, List<String> names, Duration refresh, EventLoop loop, Transport transport,
                 DnsServerAddressStreamProvider nameServers, BiConsumer<Integer, List<InetAddress>> onResolved) {
        this.cluster = cluster;
        this.names = List.copyOf(names);
        this.refresh = refresh;
        this.loop = loop;
        this.onResolved = onResolved;
        this.failing = new boolean[this.names.size()];
        DnsNameResolverBuilder builder = new DnsNameResolverBuilder(loop)
                .datagramChannelType(transport.datagramChannel())
                .socketChannelType(transport.channel())
                .resolvedAddressTypes(ADDRESS_TYPES)
                .queryTimeoutMillis(QUERY_TIMEOUT.toMillis());
        if (nameServers != null) builder.nameServerProvider(nameServers);
        this.resolver = builder.build();
    }

    /** Completes when every name has been looked up once, whether or not the lookups succeeded. */
    CompletableFuture<Void> firstRound() {
        return firstRound;
    }

    void start() {
        try {
            loop.execute(this::resolveAll);
        } catch (RejectedExecutionException e) {
            firstRound.complete(null);
        }
    }

    private void resolveAll() {
        if (closed) return;
        AtomicInteger pending = new AtomicInteger(names.size());
        for (int i = 0; i < names.size(); i++) {
            int index = i;
            String name = names.get(i);
            resolver.resolveAll(name).addListener(f -> {
                if (closed) return;
                List<InetAddress> addresses = f.isSuccess() ? preferIpv4(castList(f.getNow())) : List.of();
                if (!addresses.isEmpty()) {
                    if (failing[index]) log.info("cluster {}: resolving {} works again", cluster, name);
                    failing[index] = false;
                    onResolved.accept(index, addresses);
                } else {
                    String why = f.isSuccess() ? "no address" : f.cause().toString();
                    if (!failing[index]) {
                        log.warn("cluster {}: resolving {} failed, keeping its last addresses: {}", cluster, name, why);
                    } else {
                        log.debug("cluster {}: resolving {} still fails: {}", cluster, name, why);
                    }
                    failing[index] = true;
                }
                if (pending.decrementAndGet() == 0) roundDone();
            });
        }
    }

    private void roundDone() {
        firstRound.complete(null);
        if (closed) return;
        next = loop.schedule(this::resolveAll, refresh.toNanos(), TimeUnit.NANOSECONDS);
    }

    @SuppressWarnings("unchecked")
    private static List<InetAddress> castList(Object addresses) {
        return (List<InetAddress>) addresses;
    }

    static List<InetAddress> preferIpv4(List<InetAddress> addresses) {
        List<InetAddress> v4 = addresses.stream().filter(a -> a instanceof Inet4Address).toList();
        return v4.isEmpty() ? List.copyOf(addresses) : v4;
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> n = next;
        if (n != null) n.cancel(false);
        firstRound.complete(null);
        resolver.close();
    }
}
