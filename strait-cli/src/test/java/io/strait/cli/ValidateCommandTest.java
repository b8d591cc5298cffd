package io.strait.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strait validate FILE}: errors with their paths and exit 1; a valid file's warnings and exit 0. */
class ValidateCommandTest {
    static final String C = "clusters: {users: {endpoints: [{address: 127.0.0.1:9001}]}}\n";

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    private Run validate(String yaml) throws Exception {
        Path file = dir.resolve("strait.yaml");
        Files.writeString(file, yaml);
        CliRun r = CliRun.of("validate", file.toString());
        return new Run(r.code(), r.out(), r.err());
    }

    @Test
    void aValidFileShowsItsWarnings() throws Exception {
        Run r = validate(C + """
                routes:
                  - {name: users, cluster: users, match: {pathPrefix: /u}}
                  - {name: users-again, cluster: users, match: {pathPrefix: /u}}
                """);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("valid (1 listener(s), 1 cluster(s), 2 route(s)), 1 warning(s):")
                .contains("  warning: routes[1]: never matches: routes[0] ('users') comes first with the same hosts and path");
        assertThat(validate(C + "routes: [{name: users, cluster: users}]\n").out())
                .contains("valid (1 listener(s), 1 cluster(s), 1 route(s))").doesNotContain("warning");
    }

    @Test
    void anInvalidFileListsEveryErrorWithItsPath() throws Exception {
        Run r = validate(C + "routes: [{name: users, cluster: userz, retries: {attempts: 11}}]\n");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("2 error(s)")
                .contains("  routes[0].cluster: unknown cluster 'userz' (did you mean 'users'?)")
                .contains("  routes[0].retries.attempts: must be between 0 and 10 (was 11)");
    }
}
