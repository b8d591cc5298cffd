package io.strait.gateway.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.gateway.GatewayFilters;
import io.strait.gateway.StandardAuthenticators;
import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.apikey.IssuedKey;
import io.strait.proxy.testing.ProxyFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/guides/graphql.md as a user follows it: its first configuration (with the sample schema of
 * strait-cli's docs-tls folder), its curl query and its answer, against a backend that answers as the
 * guide's services do; the three calls it promises.
 */
class GraphqlDocsTest {
    static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().getParent();
    static final Path GUIDE = ROOT.resolve("docs/guides/graphql.md");
    static final Path SAMPLES = ROOT.resolve("strait-cli/src/test/resources/docs-tls");

    /** The text of the first fenced block of {@code kind} in the guide. */
    static String block(String text, String kind) {
        Matcher m = Pattern.compile("```" + kind + "\\n(.*?)```", Pattern.DOTALL).matcher(text);
        assertThat(m.find()).as("a ```%s block in %s", kind, GUIDE).isTrue();
        return m.group(1);
    }

    @Test
    void theGuidesQueryGetsTheGuidesAnswerInThreeCalls() throws Exception {
        String guide = Files.readString(GUIDE);
        StraitConfig config = ConfigLoader.parse(block(guide, "yaml"), GUIDE.toString(), SAMPLES, GatewayFilters.CATALOG);
        GraphqlConfig graphql = (GraphqlConfig) config.routes().get(0).filter(GraphqlReader.NAME);
        // the schema the guide shows is the sample file the configuration reads
        assertThat(graphql.schema()).contains(block(guide, "graphql"));
        Matcher body = Pattern.compile("-d '([^']*)'").matcher(block(guide, "sh"));
        assertThat(body.find()).isTrue();
        try (RestBackend backend = new RestBackend()) {
            GraphqlAnswer a = Graphql.post(new GraphqlService(graphql), body.group(1), null,
                    HttpRestCaller.of(Graphql.clusters(backend), "alice", "r-1"));
            assertThat(a.status()).isEqualTo(200);
            assertThat(Graphql.json(a)).isEqualTo(Graphql.JSON.readTree(block(guide, "json")));
            assertThat(backend.calls()).extracting(RestBackend.Call::target)
                    .containsExactlyInAnyOrderElementsOf(List.of("/orders?limit=3", "/users?ids=1,2,3", "/products?ids=10,11"));
        }
    }

    /**
     * The guide's steps in a real gateway: its configuration as written (the services' addresses pointed at the backend),
     * the schema beside it, a key created in the store it names, the curl's body with that key; then what its HTTP table
     * promises for another method and for a POST without a body (both found wrong running the guide by hand: a 404
     * from the route's methods, a 503 no_cluster).
     */
    @Test
    void theGuidesStepsRunInARealGateway() throws Exception {
        String guide = Files.readString(GUIDE);
        String steps = block(guide, "sh");
        assertThat(steps).contains("bin/strait gateway --config graphql.yaml").contains("apikey create --config graphql.yaml");
        Matcher body = Pattern.compile("-d '([^']*)'").matcher(steps);
        assertThat(body.find()).isTrue();
        Path dir = Files.createTempDirectory("strait-graphql-guide");
        Files.writeString(dir.resolve("demo.graphql"), block(guide, "graphql"));
        try (RestBackend backend = new RestBackend()) {
            String yaml = block(guide, "yaml").replaceAll("127\\.0\\.0\\.1:900[123]", backend.base().replace("http://", ""));
            StraitConfig config = ConfigLoader.parse(yaml, "graphql.yaml", dir, GatewayFilters.CATALOG);
            Matcher storePath = Pattern.compile("apiKeys: \\{store: \\{type: file, path: ([^}]*)}").matcher(yaml);
            assertThat(storePath.find()).isTrue();
            assertThat(Path.of(storePath.group(1))).as("the key store a user can write, beside the configuration").isRelative();
            IssuedKey key;
            try (FileApiKeyStore keys = FileApiKeyStore.open(dir.resolve(config.auth().apiKeys().store().path()))) {
                key = IssuedKey.issue(keys, "demo", null, List.of(), List.of(), null, Instant.now());
            }
            try (ProxyFixture gw = ProxyFixture.start(yaml, Map.of(), new GatewayFilters(new StandardAuthenticators()), dir)) {
                HttpResponse<String> answer = gw.send(HttpRequest.newBuilder(gw.uri("/graphql")).header("X-API-Key", key.key())
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.group(1))).build());
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo(block(guide, "json").strip());
                assertThat(backend.calls()).hasSize(3);
                HttpResponse<String> put = gw.send(HttpRequest.newBuilder(gw.uri("/graphql")).header("X-API-Key", key.key())
                        .PUT(HttpRequest.BodyPublishers.ofString("{}")).build());
                assertThat(put.statusCode()).isEqualTo(405);
                assertThat(put.headers().firstValue("Allow")).hasValue("GET, POST");
                HttpResponse<String> empty = gw.send(HttpRequest.newBuilder(gw.uri("/graphql")).header("X-API-Key", key.key())
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build());
                assertThat(empty.statusCode()).isEqualTo(400);
                assertThat(Graphql.codes(new GraphqlAnswer(400, "application/json", List.of(), empty.body().getBytes())))
                        .containsExactly("BAD_REQUEST");
            }
        }
    }
}
