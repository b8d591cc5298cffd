package io.strait.cli.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.cli.mesh.MeshProcesses.Sidecar;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SVIDs of 10 s ({@code svid.ttl: 10s}, the shortest the control plane takes), so every sidecar renews every ~5 s,
 * while frontend calls orders steadily: no call fails, and orders' inbound serves each new SVID to new connections.
 */
class SvidRotationProcessTest {
    static final int CLIENTS = 3;
    /** Serial numbers orders must serve in a row: the first SVID and at least two renewals. */
    static final int SERIALS = 3;
    static final Duration GENEROUS = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private MeshProcesses mesh;

    @AfterEach
    void stop() {
        if (mesh != null) mesh.close();
    }

    @Test
    void svidsRotatingEveryFewSecondsUnderLoadLoseNoCall() throws Exception {
        mesh = MeshProcesses.start(dir, "10s", MeshProcesses.POLICIES);
        mesh.sidecars("frontend", "orders");
        Sidecar frontend = mesh.sidecar("frontend");
        Sidecar orders = mesh.sidecar("orders");
        await().atMost(GENEROUS).until(() -> frontend.call("POST", "orders", "/orders", "{}").status() == 200);

        Set<BigInteger> served = new LinkedHashSet<>();
        Load load = Load.start(CLIENTS, () -> frontend.call("POST", "orders", "/orders", "{\"n\":1}"));
        try {
            // each probe is a new TLS connection to orders' inbound: the certificate it is given is the SVID of the moment
            await().atMost(GENEROUS).pollInterval(Duration.ofMillis(250)).until(() -> {
                X509Certificate c = MeshClient.servedCertificate(orders.inboundPort());
                assertThat(c.getSubjectAlternativeNames()).singleElement().satisfies(san -> assertThat(san.get(1)).isEqualTo(orders.spiffeId()));
                assertThat(c.getNotAfter().toInstant()).as("a 10 s SVID").isBefore(Instant.now().plusSeconds(11));
                served.add(c.getSerialNumber());
                return served.size() >= SERIALS || !load.failures().isEmpty();
            });
            int rotated = load.ok();
            // and calls go on after the last rotation seen
            await().atMost(GENEROUS).until(() -> load.ok() >= rotated + 50 || !load.failures().isEmpty());
        } finally {
            load.close();
        }
        assertThat(load.failures()).as("%d calls succeeded; failures:\n%s", load.ok(), mesh.tails()).isEmpty();
        assertThat(served).as("orders' SVID serials seen").hasSizeGreaterThanOrEqualTo(SERIALS);
        // every call came from frontend, whichever of its SVIDs its connection was made with
        assertThat(orders.app().seen()).allSatisfy(seen -> assertThat(seen.xfcc()).endsWith(";URI=" + frontend.spiffeId()));
    }
}
