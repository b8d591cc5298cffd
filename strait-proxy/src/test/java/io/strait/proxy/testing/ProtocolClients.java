package io.strait.proxy.testing;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Clients of the proxies a test starts by hand ({@link ProxyFixture#start}), speaking one
 * {@link ClientProtocol}: HTTP/1.1 through the JDK client, or HTTP/2 through one {@link H2Client} connection per
 * proxy, opened on first use and closed by {@link #close()} (call it from {@code @AfterEach}).
 */
public final class ProtocolClients implements AutoCloseable {
    private final ClientProtocol protocol;
    private final Map<ProxyFixture, H2Client> connections = new IdentityHashMap<>();

    public ProtocolClients(ClientProtocol protocol) {
        this.protocol = protocol;
    }

    public ClientProtocol protocol() {
        return protocol;
    }

    /** The client of {@code proxy} for this protocol. */
    public Downstream of(ProxyFixture proxy) {
        if (protocol == ClientProtocol.HTTP_1_1) return Downstream.http1(proxy);
        return Downstream.http2(proxy, () -> connection(proxy));
    }

    private synchronized H2Client connection(ProxyFixture proxy) {
        return connections.computeIfAbsent(proxy, p -> {
            try {
                return new H2Client("127.0.0.1", p.port());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    @Override
    public synchronized void close() {
        connections.values().forEach(H2Client::close);
        connections.clear();
    }
}
