package io.strait.proxy.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.Parameter;

/**
 * A base for integration classes whose tests start their own {@link ProxyFixture} and run once per client
 * protocol: annotate the subclass {@code @ParameterizedClass @EnumSource(ClientProtocol.class)} and send
 * through {@link #client(ProxyFixture)}. HTTP/2 connections are closed after each test.
 */
public abstract class ProtocolRuns {
    @Parameter
    protected ClientProtocol protocol;

    private ProtocolClients clients;

    /** The test's client of {@code p}, speaking this run's protocol (HTTP/1.1, or h2c with prior knowledge). */
    protected Downstream client(ProxyFixture p) {
        if (clients == null) clients = new ProtocolClients(protocol);
        return clients.of(p);
    }

    @AfterEach
    void closeProtocolClients() {
        if (clients != null) clients.close();
    }

    /** Runs a test once (the HTTP/1.1 run) when what it does fixes its protocol; {@code why} says what. */
    protected void onceOnly(String why) {
        assumeTrue(protocol == ClientProtocol.HTTP_1_1, why);
    }
}
