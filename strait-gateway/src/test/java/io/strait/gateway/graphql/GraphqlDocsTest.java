package io.strait.gateway.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.gateway.GatewayFilters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
}
