package io.strait.cli.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The sidecar's own parse of its common forms ({@link SidecarCommand#parseCommon}) means what picocli's does, and leaves the rest to picocli. */
class SidecarCommandParseTest {
    /** What a parse decided, comparable across the two parsers. */
    private record Parsed(String config, long readyTimeout, long stopGrace, List<String> command) {
        static Parsed of(SidecarCommand c) {
            return new Parsed(String.valueOf(c.config), c.readyTimeoutSeconds, c.stopGraceSeconds,
                    c.command == null || c.command.isEmpty() ? null : c.command);
        }
    }

    private static Parsed picocli(String[] args) {
        SidecarCommand c = new SidecarCommand();
        new CommandLine(c).parseArgs(args);
        return Parsed.of(c);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "--config s.yaml",
            "--config=s.yaml",
            "--config s.yaml --ready-timeout 5 --stop-grace 0",
            "--stop-grace=7 --config /etc/strait/sidecar.yaml --ready-timeout=30",
            "--config s.yaml -- app --port 8080",
            "--config s.yaml -- sh -c exit",
            "--config s.yaml --",
            "--config s.yaml -- --config other.yaml",
            "--ready-timeout -1 --config s.yaml",
    })
    void theCommonFormsMeanWhatPicocliMakesOfThem(String line) {
        String[] args = line.split(" ");
        assertThat(SidecarCommand.parseCommon(args)).as(line).isPresent();
        assertThat(Parsed.of(SidecarCommand.parseCommon(args).orElseThrow())).as(line).isEqualTo(picocli(args));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "--help", "-h", "--version", "-V",
            "--config s.yaml --help",
            "", "--ready-timeout 5",
            "--config", "--config=", "--config s.yaml --ready-timeout", "--config s.yaml --ready-timeout five",
            "--config a.yaml --config b.yaml",
            "--config s.yaml --unknown 1", "-c s.yaml",
            "--config s.yaml app", // a command without --: picocli's positional rules decide
    })
    void everythingElseIsLeftToPicocli(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        assertThat(SidecarCommand.parseCommon(args)).as(line).isEmpty();
    }

    @Test
    void theOwnParseKnowsEveryOptionOfTheCommand() {
        Set<String> names = Arrays.stream(SidecarCommand.class.getDeclaredFields())
                .map(f -> f.getAnnotation(Option.class)).filter(o -> o != null)
                .flatMap(o -> Arrays.stream(o.names())).collect(Collectors.toSet());
        assertThat(names).containsExactlyInAnyOrder("--config", "--ready-timeout", "--stop-grace");
        for (String n : names) {
            String[] args = n.equals("--config") ? new String[] {"--config", "x"} : new String[] {"--config", "x", n, "3"};
            assertThat(SidecarCommand.parseCommon(args)).as(n).isPresent();
        }
    }
}
