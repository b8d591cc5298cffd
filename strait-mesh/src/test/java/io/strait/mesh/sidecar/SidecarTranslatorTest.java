package io.strait.mesh.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.load.ConfigValidator;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import io.strait.config.model.TlsConfig;
import io.strait.config.model.TrafficPolicy;
import io.strait.mesh.identity.Svid;
import io.strait.mesh.peerauth.PeerAuthMode;
import io.strait.mesh.peerauth.PeerAuthentication;
import io.strait.mesh.xfcc.XfccConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the translation makes of a sidecar config and a mesh state: checked by the engine's own validator. */
class SidecarTranslatorTest {
    static final TrafficPolicy SPLIT = new TrafficPolicy(Map.of(), List.of(new TrafficPolicy.Split(Map.of("version", "v1"), 90),
            new TrafficPolicy.Split(Map.of("version", "v2"), 10)), null, null, null);
    static MeshTestbed pki;
    static Svid svid;

    @BeforeAll
    static void pki() throws Exception {
        pki = new MeshTestbed();
        svid = pki.svid("shop", "web");
    }

    static MeshState.Endpoint endpoint(String address, String account) {
        return new MeshState.Endpoint(HostPort.parse(address), MeshTestbed.id("shop", account), "a", Map.of("version", "v1"));
    }

    static MeshState state(PeerAuthentication auth) {
        return new MeshState(svid, pki.bundle, auth, List.of(), List.of(
                new MeshState.Service("orders", "shop", List.of(endpoint("10.0.0.7:15006", "orders"), endpoint("10.0.0.8:15006", "orders")),
                        new MeshState.TrafficSettings(Duration.ofSeconds(3), RetryPolicy.NONE, null, null, null, null, SPLIT)),
                new MeshState.Service("users", "accounts", List.of(new MeshState.Endpoint(HostPort.parse("10.0.1.1:15006"),
                        MeshTestbed.id("accounts", "users"), null, Map.of()), new MeshState.Endpoint(HostPort.parse("10.0.1.2:15006"),
                        MeshTestbed.id("accounts", "users-canary"), null, Map.of())), null),
                new MeshState.Service("empty", "shop", List.of(), null)));
    }

    @Test
    void theEnginesAccessLogFollowsTheSidecarsFile() {
        SidecarConfig c = config(null);
        SidecarConfig off = new SidecarConfig(c.service(), c.namespace(), c.serviceAccount(), c.zone(), c.labels(), c.controlPlane(),
                c.inbound(), c.outbound(), c.admin(), new SidecarConfig.AccessLog(false, null));
        SidecarConfig file = new SidecarConfig(c.service(), c.namespace(), c.serviceAccount(), c.zone(), c.labels(), c.controlPlane(),
                c.inbound(), c.outbound(), c.admin(), new SidecarConfig.AccessLog(true, java.nio.file.Path.of("/var/log/strait/web.log")));

        assertThat(SidecarTranslator.translate(c, state(PeerAuthentication.STRICT)).observability().accessLog().enabled()).isTrue();
        assertThat(SidecarTranslator.translate(off, state(PeerAuthentication.STRICT)).observability().accessLog().enabled()).isFalse();
        var log = SidecarTranslator.translate(file, state(PeerAuthentication.STRICT)).observability().accessLog();
        assertThat(log.enabled()).isTrue();
        assertThat(log.path()).isEqualTo("/var/log/strait/web.log");
    }

    static SidecarConfig config(PeerAuthMode override) {
        SidecarConfig c = MeshTestbed.config("web", "shop", "web", 8080, override, Map.of("users.accounts", 15101, "ghost", 15102));
        return new SidecarConfig(c.service(), c.namespace(), c.serviceAccount(), c.zone(), c.labels(), c.controlPlane(),
                new SidecarConfig.Inbound("0.0.0.0", 15006, 8080, override), new SidecarConfig.Outbound(15001, c.outbound().services()),
                new SidecarConfig.Admin(15000));
    }

    @Test
    void theTranslationIsAValidEngineConfigWithTheMeshShape() {
        StraitConfig c = SidecarTranslator.translate(config(null), state(PeerAuthentication.STRICT));
        assertThat(ConfigValidator.validate(c, new SidecarFilters().catalog())).isEmpty();
        // local ports in name order, whatever the map's
        assertThat(c.listeners()).extracting(ListenerConfig::name).containsExactly("inbound", "outbound", "outbound-ghost",
                "outbound-users.accounts");
        assertThat(c.listeners()).extracting(l -> l.address().toString()).containsExactly("0.0.0.0:15006", "127.0.0.1:15001",
                "127.0.0.1:15102", "127.0.0.1:15101");
        assertThat(c.admin().address()).isEqualTo(new HostPort("127.0.0.1", 15000));

        TlsConfig tls = c.listeners().get(0).tls();
        assertThat(tls.clientAuth().mode()).isEqualTo(TlsConfig.ClientAuth.Mode.REQUIRE);
        assertThat(tls.allowPlaintext()).isFalse();
        assertThat(tls.minVersion()).isEqualTo("TLSv1.3");

        RouteConfig inbound = c.routes().get(0);
        assertThat(inbound.filters()).extracting(f -> f.name()).containsExactly("meshMetrics", "peerauth", "authz", "xfcc");
        assertThat(inbound.filter("meshMetrics")).isEqualTo(new io.strait.mesh.telemetry.MeshMetricsConfig("destination",
                new io.strait.mesh.telemetry.MeshMetricsConfig.Party("web", "shop", "spiffe://cluster.local/ns/shop/sa/web"), null,
                "web.shop.svc.cluster.local", Map.of("spiffe://cluster.local/ns/shop/sa/orders", "orders",
                "spiffe://cluster.local/ns/accounts/sa/users", "users", "spiffe://cluster.local/ns/accounts/sa/users-canary", "users")));
        assertThat(inbound.filter("xfcc")).isEqualTo(new XfccConfig("spiffe://cluster.local/ns/shop/sa/web"));
        assertThat(c.clusters().get(inbound.cluster()).endpoints().get(0).address()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(c.clusters().get("inbound-app").tls()).isNull();

        RouteConfig orders = c.routes().stream().filter(r -> r.cluster().equals("orders.shop")).findFirst().orElseThrow();
        assertThat(orders.match().hosts()).containsExactly("orders", "orders.shop", "orders.shop.svc.cluster.local");
        assertThat(orders.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(orders.retries()).isEqualTo(RetryPolicy.NONE);
        assertThat(orders.filters()).extracting(f -> f.name()).containsExactly("meshMetrics");
        io.strait.mesh.telemetry.MeshMetricsConfig toOrders = (io.strait.mesh.telemetry.MeshMetricsConfig) orders.filter("meshMetrics");
        assertThat(toOrders.reporter()).isEqualTo("source");
        assertThat(toOrders.service()).isEqualTo("orders.shop.svc.cluster.local");
        assertThat(toOrders.local().principal()).isEqualTo("spiffe://cluster.local/ns/shop/sa/web");
        assertThat(toOrders.peer()).isEqualTo(new io.strait.mesh.telemetry.MeshMetricsConfig.Party("orders", "shop",
                "spiffe://cluster.local/ns/shop/sa/orders"));
        RouteConfig toUsers = c.routes().stream().filter(r -> r.cluster().equals("users.accounts")).findFirst().orElseThrow();
        assertThat(((io.strait.mesh.telemetry.MeshMetricsConfig) toUsers.filter("meshMetrics")).peer().principal())
                .as("two identities: the source cannot tell which it reached").isEqualTo("unknown");
        // v2 has no endpoint now: its share is left out until one appears (the engine refuses an empty subset)
        assertThat(orders.traffic().split()).containsExactly(SPLIT.split().get(0));
        ClusterConfig oc = c.clusters().get("orders.shop");
        assertThat(oc.tls().verifySubjectAltName()).containsExactly("spiffe://cluster.local/ns/shop/sa/orders");
        assertThat(oc.tls().sni()).isEqualTo("orders.shop.svc.cluster.local");
        assertThat(oc.endpoints()).extracting(e -> e.zone() + " " + e.labels()).containsOnly("a {version=v1}");

        // another namespace: no short name; endpoints of two accounts: either is accepted
        RouteConfig users = c.routes().stream().filter(r -> r.cluster().equals("users.accounts") && !r.match().hosts().isEmpty())
                .findFirst().orElseThrow();
        assertThat(users.match().hosts()).containsExactly("users.accounts", "users.accounts.svc.cluster.local");
        assertThat(c.clusters().get("users.accounts").tls().verifySubjectAltName()).containsExactly(
                "spiffe://cluster.local/ns/accounts/sa/users", "spiffe://cluster.local/ns/accounts/sa/users-canary");

        // a service without endpoints and an unknown local-port service get no cluster and no route
        assertThat(c.clusters()).doesNotContainKey("empty.shop");
        assertThat(c.listeners().get(2).routes()).isEmpty();
        assertThat(c.listeners().get(3).routes()).containsExactly("outbound-users.accounts");
    }

    @Test
    void aSplitKeepsEverySubsetThatHasEndpoints() {
        MeshState.Service both = new MeshState.Service("orders", "shop", List.of(endpoint("10.0.0.7:15006", "orders"),
                new MeshState.Endpoint(HostPort.parse("10.0.0.9:15006"), MeshTestbed.id("shop", "orders"), "a", Map.of("version", "v2"))),
                new MeshState.TrafficSettings(null, null, null, null, null, null, SPLIT));
        assertThat(SidecarTranslator.routing(both)).isEqualTo(SPLIT);
        MeshState.Service none = new MeshState.Service("orders", "shop", List.of(new MeshState.Endpoint(HostPort.parse("10.0.0.9:15006"),
                MeshTestbed.id("shop", "orders"), "a", Map.of("version", "v3"))), both.traffic());
        assertThat(SidecarTranslator.routing(none).split()).isEmpty();
    }

    @Test
    void permissiveComesFromTheStateForTheAppsPortOrFromTheOverride() {
        PeerAuthentication appPortPermissive = new PeerAuthentication(PeerAuthMode.STRICT, Map.of(8080, PeerAuthMode.PERMISSIVE));
        TlsConfig tls = SidecarTranslator.translate(config(null), state(appPortPermissive)).listeners().get(0).tls();
        assertThat(tls.clientAuth().mode()).isEqualTo(TlsConfig.ClientAuth.Mode.OPTIONAL);
        assertThat(tls.allowPlaintext()).isTrue();
        TlsConfig overridden = SidecarTranslator.translate(config(PeerAuthMode.STRICT), state(appPortPermissive)).listeners().get(0).tls();
        assertThat(overridden.allowPlaintext()).isFalse();
        assertThat(SidecarTranslator.translate(config(null), state(new PeerAuthentication(PeerAuthMode.STRICT, Map.of(9, PeerAuthMode.PERMISSIVE))))
                .listeners().get(0).tls().allowPlaintext()).isFalse();
    }

    @Test
    void aSidecarsFileCanTightenTheMeshsModeButNeverLoosenIt() {
        TlsConfig loosened = SidecarTranslator.translate(config(PeerAuthMode.PERMISSIVE), state(PeerAuthentication.STRICT)).listeners().get(0).tls();
        assertThat(loosened.allowPlaintext()).as("a pushed STRICT wins over the file's PERMISSIVE").isFalse();
        assertThat(loosened.clientAuth().mode()).isEqualTo(TlsConfig.ClientAuth.Mode.REQUIRE);
        TlsConfig both = SidecarTranslator.translate(config(PeerAuthMode.PERMISSIVE), state(PeerAuthentication.PERMISSIVE)).listeners().get(0).tls();
        assertThat(both.allowPlaintext()).isTrue();
        assertThat(SidecarTranslator.translate(config(PeerAuthMode.STRICT), state(PeerAuthentication.PERMISSIVE)).listeners().get(0).tls()
                .allowPlaintext()).isFalse();
    }

    @Test
    void theSameInputGivesAnEqualConfigAndANewSvidChangesNothingButTheMaterial() throws Exception {
        MeshState s = state(PeerAuthentication.STRICT);
        StraitConfig a = SidecarTranslator.translate(config(null), s);
        assertThat(SidecarTranslator.translate(config(null), s)).isEqualTo(a);
        assertThat(SidecarTranslator.translate(config(null), s.withSvid(pki.svid("shop", "web")))).isEqualTo(a);
        assertThat(Set.copyOf(a.clusters().keySet())).containsExactlyInAnyOrder("inbound-app", "orders.shop", "users.accounts");
    }

    @Test
    void anAccessLogGivenByCodeReplacesTheDefaultOne() throws Exception {
        MeshState s = state(PeerAuthentication.STRICT);
        assertThat(SidecarTranslator.translate(config(null), s).observability().accessLog().path()).isEqualTo("stdout");
        var logs = new io.strait.config.model.ObservabilityConfig(new io.strait.config.model.ObservabilityConfig.AccessLog(true,
                "/tmp/orders-1.access.log", List.of("time", "status")), new io.strait.config.model.ObservabilityConfig.Tracing(null, "strait", 1.0, java.util.Map.of(), 100));
        StraitConfig c = SidecarTranslator.translate(config(null), s, logs);
        assertThat(c.observability()).isEqualTo(logs);
        assertThat(c.listeners()).isEqualTo(SidecarTranslator.translate(config(null), s).listeners());
    }
}
