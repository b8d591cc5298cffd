package io.strait.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.cli.sidecar.SidecarCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --help} on every command of the tree, and the completion scripts that bash (and zsh) load. */
class HelpAndCompletionTest {
    @TempDir
    Path dir;

    static Cli.Run run(String... args) {
        return Cli.run(args);
    }

    /** Every command path under {@code strait}: [gateway], [apikey, create], ... */
    static List<List<String>> commands(CommandLine c, List<String> prefix, List<List<String>> out) {
        for (var e : c.getSubcommands().entrySet()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            out.add(path);
            commands(e.getValue(), path, out);
        }
        return out;
    }

    @Test
    void everySubcommandAnswersHelpWithItsUsage() {
        List<List<String>> all = commands(new CommandLine(new Main()), List.of(), new ArrayList<>());
        assertThat(all).extracting(p -> String.join(" ", p)).contains("gateway", "validate", "demo", "apikey create",
                "control-plane", "control-plane ca add-next-root", "authz check", "sidecar", "completion", "explain");
        for (List<String> path : all) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Cli.Run r = run(args.toArray(String[]::new));
            assertThat(r.code()).as("strait %s --help: %s", String.join(" ", path), r.err()).isZero();
            assertThat(r.out()).as("strait %s --help", String.join(" ", path)).startsWith("Usage: strait " + String.join(" ", path));
        }
    }

    @Test
    void theSidecarsFastParserLeavesHelpToPicocli() {
        assertThat(SidecarCommand.parseCommon(new String[] {"--help"})).isEmpty();
        assertThat(SidecarCommand.parseCommon(new String[] {"--config", "s.yaml", "--help"})).isEmpty();
    }

    @Test
    void theBashScriptLoadsAndCompletesSubcommands() throws Exception {
        Cli.Run r = run("completion", "bash");
        assertThat(r.code()).isZero();
        Path script = Files.writeString(dir.resolve("strait.bash"), r.out());
        String out = bash("source " + script + " && complete -p strait"
                + " && COMP_WORDS=(strait ex) COMP_CWORD=1 COMP_LINE='strait ex' COMP_POINT=9"
                + " && $(complete -p strait | sed -E 's/.*-F ([^ ]+).*/\\1/') && echo \"words: ${COMPREPLY[*]}\""
                + " && COMP_WORDS=(strait explain --out) COMP_CWORD=2 COMP_LINE='strait explain --out' COMP_POINT=20"
                + " && $(complete -p strait | sed -E 's/.*-F ([^ ]+).*/\\1/') && echo \"options: ${COMPREPLY[*]}\"");
        assertThat(out).contains("-F _complete_strait strait").contains("words: explain").contains("options: --output");
    }

    @Test
    void theZshScriptTurnsOnBashCompletionFirst() {
        Cli.Run r = run("completion", "zsh");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n")
                .contains("_complete_strait");
        assertThat(run("completion", "fish").code()).isEqualTo(2);
    }

    private static String bash(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
