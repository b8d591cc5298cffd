package io.strait.proxy.runtime;

import io.strait.proxy.core.Engine;
import io.netty.channel.EventLoopGroup;
import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.listener.CannotBind;
import io.strait.proxy.listener.ListenerServer;
import io.strait.proxy.transport.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The bound listeners of the running configuration, and those a reload retired that still drain. A
 * new configuration's listeners are bound before it is swapped in ({@link #prepare}): a listener whose
 * address, protocols and TLS (on or off) did not change keeps its socket and its connections; a new or
 * changed one is bound now, and when one cannot be bound the whole configuration is refused and nothing
 * changes. Only after the swap ({@link Change#commit}) do removed and changed listeners stop accepting
 * and drain. Used from the control thread (and startup), never from an event loop.
 */
final class Listeners {
    /** Hosts that bind every interface: they clash with any other host on the same port. */
    private static final Set<String> ANY_HOST = Set.of("0.0.0.0", "::");

    private final Engine engine;
    private final EventLoopGroup group;
    private final Transport transport;
    /** The running configuration's listeners, by name, in the configuration's order. */
    private volatile Map<String, ListenerServer> bound = Map.of();
    /** Listeners retired by a reload whose connections may still be open. */
    private final List<ListenerServer> retiring = new CopyOnWriteArrayList<>();

    /** Certificates set by code for named listeners, in place of their files. */
    private final io.strait.proxy.tls.CertificateSources certificates;

    Listeners(Engine engine, EventLoopGroup group, Transport transport, io.strait.proxy.tls.CertificateSources certificates) {
        this.certificates = certificates;
        this.engine = engine;
        this.group = group;
        this.transport = transport;
    }

    /** Binds the first configuration's listeners; throws when one cannot be bound (startup fails). */
    void start(StraitConfig config) throws InterruptedException {
        Map<String, ListenerServer> out = new LinkedHashMap<>();
        int i = 0;
        try {
            for (ListenerConfig l : config.listeners()) {
                ListenerServer s = new ListenerServer(l);
                try {
                    s.bind(engine, group, transport, config.drainTimeout().toMillis(), certificates.forListener(s.config().name()));
                } catch (CannotBind e) { // named as the file names it: listeners[0] 'public' 0.0.0.0:8080: address already in use
                    throw new IllegalStateException("listeners[" + i + "] '" + l.name() + "' " + e.getMessage(), e);
                }
                out.put(l.name(), s);
                i++;
            }
        } catch (RuntimeException | InterruptedException e) {
            out.values().forEach(ListenerServer::stopAccepting);
            throw e;
        }
        bound = out;
    }

    /** The running listener of that name, or null. */
    ListenerServer get(String name) {
        return bound.get(name);
    }

    int size() {
        return bound.size();
    }

    /** Running and retiring listeners. */
    List<ListenerServer> all() {
        List<ListenerServer> all = new ArrayList<>(bound.values());
        all.addAll(retiring);
        return all;
    }

    /** Whether a listener can keep its socket and connections: same address, protocols and TLS on or off. */
    static boolean sameSocket(ListenerConfig a, ListenerConfig b) {
        return Objects.equals(a.address(), b.address()) && a.protocols().equals(b.protocols())
                && (a.tls() == null) == (b.tls() == null);
    }

    /**
     * Binds what {@code next} adds or changes. Returns the change to commit after the swap, or throws
     * {@link Refused} with every listener that could not be bound (then nothing was changed).
     */
    Change prepare(StraitConfig next) throws Refused {
        Map<String, ListenerServer> current = bound;
        Map<String, ListenerServer> result = new LinkedHashMap<>();
        List<Integer> toBind = new ArrayList<>();
        for (int i = 0; i < next.listeners().size(); i++) {
            ListenerConfig l = next.listeners().get(i);
            ListenerServer prev = current.get(l.name());
            if (prev != null && sameSocket(prev.config(), l)) result.put(l.name(), prev);
            else toBind.add(i);
        }
        List<ListenerServer> retired = current.values().stream().filter(s -> !result.containsValue(s)).toList();
        List<ListenerServer> fresh = new ArrayList<>();
        List<ListenerServer> stopped = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        long drainMillis = next.drainTimeout().toMillis();
        // Listeners on an address no retired listener holds first; then those taking one over, which must stop first.
        for (boolean takeover : new boolean[] {false, true}) {
            for (int i : toBind) {
                ListenerConfig l = next.listeners().get(i);
                List<ListenerServer> holders = retired.stream().filter(r -> clashes(l.address(), r.boundAddress())).toList();
                if (holders.isEmpty() == takeover) continue;
                if (takeover) {
                    if (!errors.isEmpty()) break; // no need to stop a running listener for a refused config
                    for (ListenerServer h : holders) {
                        if (!stopped.contains(h)) {
                            h.stopAccepting();
                            stopped.add(h);
                        }
                    }
                }
                ListenerServer s = new ListenerServer(l);
                try {
                    s.bind(engine, group, transport, drainMillis, certificates.forListener(s.config().name()));
                    fresh.add(s);
                    result.put(l.name(), s);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    errors.add("listeners[" + i + "].address: interrupted while binding " + l.address());
                } catch (Exception e) { // Netty's sync() rethrows the bind's IOException unchecked
                    errors.add(bindError(i, l, e));
                }
            }
        }
        if (!errors.isEmpty()) {
            fresh.forEach(s -> {
                s.stopAccepting();
                s.closeAll();
            });
            for (ListenerServer h : stopped) rebind(h, drainMillis, errors);
            throw new Refused(errors);
        }
        Map<String, ListenerServer> ordered = new LinkedHashMap<>();
        next.listeners().forEach(l -> ordered.put(l.name(), result.get(l.name())));
        return new Change(ordered, retired);
    }

    /** A listener stopped for a takeover that was then refused listens again (its connections never noticed). */
    private void rebind(ListenerServer s, long drainMillis, List<String> errors) {
        try {
            s.bind(engine, group, transport, drainMillis, certificates.forListener(s.config().name()));
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            errors.add("listener " + s.config().name() + ": could not listen again on " + s.config().address()
                    + " after the refusal: " + reason(e));
        }
    }

    /**
     * {@code listeners[1].address: cannot bind ...}, or for certificates that fail to load (changed since the
     * configuration was read) {@code listeners[1].tls.certificates[0].keyFile: ...}.
     */
    private static String bindError(int i, ListenerConfig l, Exception e) {
        String tlsPrefix = "listener " + l.name() + ": tls.";
        String m = reason(e);
        if (e instanceof IllegalStateException && m.startsWith(tlsPrefix)) {
            return "listeners[" + i + "].tls." + m.substring(tlsPrefix.length());
        }
        if (e instanceof CannotBind c) m = c.problem();
        return "listeners[" + i + "].address: cannot bind " + l.address() + ": " + m;
    }

    private static boolean clashes(HostPort wanted, InetSocketAddress held) {
        if (wanted == null || held == null || wanted.port() == 0 || wanted.port() != held.getPort()) return false;
        String heldHost = held.getAddress() == null ? held.getHostString() : held.getAddress().getHostAddress();
        return ANY_HOST.contains(wanted.host()) || held.getAddress() == null || held.getAddress().isAnyLocalAddress()
                || wanted.host().equalsIgnoreCase(heldHost) || wanted.host().equalsIgnoreCase(held.getHostString())
                || "localhost".equalsIgnoreCase(wanted.host());
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** Stops everything: shutdown. */
    Collection<ListenerServer> stopAll() {
        List<ListenerServer> all = all();
        all.forEach(ListenerServer::stopAccepting);
        return all;
    }

    /** A configuration's listeners, bound and ready: {@link #commit()} after the snapshot swap. */
    final class Change {
        private final Map<String, ListenerServer> next;
        private final List<ListenerServer> retired;

        private Change(Map<String, ListenerServer> next, List<ListenerServer> retired) {
            this.next = next;
            this.retired = retired;
        }

        /** Names of listeners that stop accepting (removed, or changed and bound anew). */
        List<String> retiredNames() {
            return retired.stream().map(s -> s.config().name()).toList();
        }

        /** Makes the new listeners the running ones and retires the others; returns the retired ones. */
        List<ListenerServer> commit() {
            bound = next;
            for (ListenerServer s : retired) {
                retiring.add(s);
                s.retire();
            }
            return retired;
        }
    }

    /** Forgets a retired listener once it is closed. */
    void forget(ListenerServer s) {
        retiring.remove(s);
    }

    /** Some listener of a configuration could not be bound: each error names its {@code listeners[i].address}. */
    static final class Refused extends Exception {
        private final List<String> errors;

        Refused(List<String> errors) {
            super(String.join("; ", errors));
            this.errors = List.copyOf(errors);
        }

        List<String> errors() {
            return errors;
        }
    }
}
