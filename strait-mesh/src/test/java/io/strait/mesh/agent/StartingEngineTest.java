package io.strait.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.HostPort;
import io.strait.mesh.authz.AuthorizationPolicy;
import io.strait.mesh.authz.PolicyReader;
import io.strait.mesh.ca.CaMaterial;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.ca.IssuedSvid;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.Svid;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.sidecar.MeshState;
import io.strait.mesh.sidecar.SidecarConfig;
import io.strait.mesh.sidecar.SidecarEngine;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.testing.TestPki;
import io.strait.proxy.core.ApplyResult;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pushes before a sidecar's engine starts are checked as the engine checks them and make the state it starts with. */
class StartingEngineTest {
    private static final SidecarConfig CONFIG = new SidecarConfig("orders", "shop", "orders", null, Map.of("app", "orders"),
            new SidecarConfig.ControlPlane(new HostPort("127.0.0.1", 9), Path.of("bundle.pem"), "token", null, TestPki.TD),
            new SidecarConfig.Inbound(SidecarConfig.LOOPBACK, 0, 9, null), new SidecarConfig.Outbound(0, Map.of()), new SidecarConfig.Admin(0));

    private static Svid svid(CertificateAuthority ca, String ns, String sa) throws Exception {
        WorkloadKey key = WorkloadKey.generate();
        SpiffeId id = new SpiffeId(TestPki.TD, ns, sa);
        IssuedSvid issued = ca.sign(key.csrDer(id), id);
        return new Svid(issued.chain(), key.privateKey());
    }

    @Test
    void pushesBeforeTheStartAreCheckedAndTheEngineStartsWithWhatWasAccepted() throws Exception {
        CaMaterial root = TestPki.root(Instant.now(), Duration.ofDays(2));
        CertificateAuthority ca = TestPki.ca(root, Duration.ofHours(1), Clock.systemUTC());
        TrustBundle bundle = TrustBundle.of(TestPki.TD, root.root());
        MeshState initial = new MeshState(svid(ca, "shop", "orders"), bundle, null, List.of(MeshAgent.awaitingPolicies(CONFIG)), null);
        StartingEngine starting = new StartingEngine(CONFIG, initial, Clock.systemUTC(), null);

        List<AuthorizationPolicy> policies = PolicyReader.parse("p.yaml", """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: orders-readers, namespace: shop}
                spec:
                  action: ALLOW
                  rules: [{from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]}]
                """);
        assertThat(starting.update(starting.state().withPolicies(policies)).applied()).isTrue();
        // another workload's SVID is refused with the engine's reason, and the accepted state stays
        ApplyResult refused = starting.update(starting.state().withSvid(svid(ca, "shop", "payments")));
        assertThat(refused.applied()).isFalse();
        assertThat(refused.errors()).singleElement().asString().contains("not this workload's");
        assertThat(starting.engine()).isNull();

        SidecarEngine engine = starting.start();
        try {
            assertThat(engine.state().policies()).extracting(AuthorizationPolicy::name).containsExactly("orders-readers");
            assertThat(starting.state()).isSameAs(engine.state());
            // after the start, updates go to the engine
            assertThat(starting.update(engine.state().withPolicies(List.of())).applied()).isTrue();
            assertThat(engine.state().policies()).isEmpty();
        } finally {
            engine.close();
        }
    }
}
