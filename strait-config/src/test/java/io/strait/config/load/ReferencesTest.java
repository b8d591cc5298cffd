package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.model.StraitConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ${ENV_VAR}}, {@code ${VAR:-default}}, {@code ${file:/path}} and {@code $${} in any string value. */
class ReferencesTest {
    static final String C = "clusters: {c: {endpoints: [{address: 127.0.0.1:9001}]}}\n";
    static final String JWT = """
            auth:
              jwt:
                - {name: main, issuer: "%s", audiences: [api], jwksUri: "https://auth.example.com/jwks.json"}
            """;

    @TempDir
    Path dir;

    private StraitConfig load(String yaml, Map<String, String> env) {
        try {
            return ConfigLoader.parse(yaml, "test.yaml", dir, FilterCatalog.CORE, env::get);
        } catch (ConfigException e) {
            throw new AssertionError("expected a valid config, got:\n" + e.getMessage(), e);
        }
    }

    private List<String> errors(String yaml, Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(yaml, "test.yaml", dir, FilterCatalog.CORE, env::get));
        assertThat(e).as("expected ConfigException for:\n%s", yaml).isNotNull();
        return e.errors();
    }

    @Test
    void aWholeValueAndAPartOfOneResolveFromTheEnvironment() {
        StraitConfig c = load(JWT.formatted("${ISSUER}") + C
                + "rateLimits: {store: {type: redis, uri: 'redis://:${REDIS_PASSWORD}@127.0.0.1:6379'}}\n",
                Map.of("ISSUER", "https://auth.example.com/", "REDIS_PASSWORD", "s3cret"));
        assertThat(c.auth().jwt().getFirst().issuer()).isEqualTo("https://auth.example.com/");
        assertThat(c.rateLimits().store().uri()).isEqualTo("redis://:s3cret@127.0.0.1:6379");
        // the written form is kept for the admin API, which shows it in place of the secret
        assertThat(c.references().written("redis://:s3cret@127.0.0.1:6379")).isEqualTo("redis://:${REDIS_PASSWORD}@127.0.0.1:6379");
        assertThat(c.references().written("https://auth.example.com/")).isEqualTo("${ISSUER}");
    }

    @Test
    void aMissingVariableIsAnErrorNamingTheExactField() {
        String yaml = C + """
                routes:
                  - {cluster: c, match: {path: /a}}
                  - {cluster: c, match: {path: /b}}
                  - cluster: c
                    match: {path: '${API_PATH}'}
                """;
        assertThat(errors(yaml, Map.of())).containsExactly("routes[2].match.path: environment variable 'API_PATH' is not set");
        assertThat(errors(JWT.formatted("${ISSUER}") + C, Map.of()))
                .containsExactly("auth.jwt[0].issuer: environment variable 'ISSUER' is not set");
    }

    @Test
    void aDefaultStandsInForAnUnsetOrEmptyVariable() {
        String yaml = C + "zone: ${ZONE:-eu-west-1a}\n";
        assertThat(load(yaml, Map.of()).zone()).isEqualTo("eu-west-1a");
        assertThat(load(yaml, Map.of("ZONE", "")).zone()).isEqualTo("eu-west-1a");
        assertThat(load(yaml, Map.of("ZONE", "us-east-1b")).zone()).isEqualTo("us-east-1b");
        assertThat(load(C + "zone: ${ZONE:-}x\n", Map.of()).zone()).isEqualTo("x");
    }

    @Test
    void aFileReferenceReadsTheFileWithoutItsTrailingLineBreak() throws Exception {
        Path secret = Files.writeString(dir.resolve("issuer.txt"), "https://auth.example.com/\n");
        StraitConfig c = load(JWT.formatted("${file:" + secret + "}") + C, Map.of());
        assertThat(c.auth().jwt().getFirst().issuer()).isEqualTo("https://auth.example.com/");
        assertThat(c.references().files()).containsExactly(secret.toAbsolutePath());
        // relative to the config file's folder
        assertThat(load(JWT.formatted("${file:issuer.txt}") + C, Map.of()).auth().jwt().getFirst().issuer())
                .isEqualTo("https://auth.example.com/");
    }

    @Test
    void anUnreadableFileIsAnErrorNamingTheFieldAndThePath() throws Exception {
        Path missing = dir.resolve("nope.txt");
        assertThat(errors(JWT.formatted("${file:" + missing + "}") + C, Map.of()))
                .containsExactly("auth.jwt[0].issuer: cannot read " + missing + ": no such file");
        assertThat(errors(JWT.formatted("${file:" + dir + "}") + C, Map.of()))
                .containsExactly("auth.jwt[0].issuer: cannot read " + dir + ": a directory, not a file");
        Path binary = Files.write(dir.resolve("bin"), new byte[] {(byte) 0xff, (byte) 0xfe});
        assertThat(errors(JWT.formatted("${file:" + binary + "}") + C, Map.of()))
                .containsExactly("auth.jwt[0].issuer: cannot read " + binary + ": not UTF-8 text");
    }

    @Test
    void dollarDollarBraceIsALiteralAndStaysAsWrittenForTheAdminApi() {
        StraitConfig c = load(C + "zone: 'a$${ZONE}b'\n", Map.of("ZONE", "x"));
        assertThat(c.zone()).isEqualTo("a${ZONE}b");
        assertThat(c.references().written("a${ZONE}b")).isEqualTo("a$${ZONE}b");
        assertThat(load(C + "zone: 'cost$5'\n", Map.of()).zone()).isEqualTo("cost$5");
    }

    @Test
    void malformedReferencesAreErrorsThatShowTheForms() {
        String forms = "write ${NAME}, ${NAME:-default} or ${file:/path}, or $${ for a literal ${";
        assertThat(errors(C + "zone: 'a${ZONE'\n", Map.of())).containsExactly("zone: '${' without a closing '}': " + forms);
        assertThat(errors(C + "zone: 'a${}'\n", Map.of())).containsExactly("zone: '${}' is not a reference: " + forms);
        assertThat(errors(C + "zone: 'a${MY VAR}'\n", Map.of())).containsExactly("zone: '${MY VAR}' is not a reference: " + forms);
        assertThat(errors(C + "zone: 'a${file:}'\n", Map.of())).containsExactly("zone: '${file:}' names no file: " + forms);
        // a regex group in a replacement looks like a variable: the message says how to write it
        assertThat(errors(C + "zone: '/v1/${rest}'\n", Map.of())).containsExactly(
                "zone: environment variable 'rest' is not set (for a literal ${rest}, such as a regex group, write $${rest})");
    }

    @Test
    void anErrorAboutAResolvedValueQuotesItAsWrittenNeverResolved() {
        assertThat(errors(C + "drainTimeout: '${DRAIN}'\n", Map.of("DRAIN", "hunter2")))
                .containsExactly("drainTimeout: " + Durations.SYNTAX + " (was '${DRAIN}')");
    }

    @Test
    void aJsonDocumentResolvesAsYamlDoes() throws Exception {
        // PUT /config with JSON goes through the same pass; the process' environment has PATH
        StraitConfig c = ConfigLoader.parseJson("{\"clusters\": {\"c\": {\"endpoints\": [{\"address\": \"127.0.0.1:9001\"}]}},"
                + " \"zone\": \"${NO_SUCH_VARIABLE_HERE:-z1}\"}", "put", dir);
        assertThat(c.zone()).isEqualTo("z1");
    }
}
