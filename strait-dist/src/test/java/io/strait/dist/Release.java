package io.strait.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The release tarball unpacked on a fresh path (with a space in it, as a user's may have), and commands run as a user
 * with no JDK would: {@code env -i} with a PATH holding only the two tools the launcher calls, so no JAVA_HOME and
 * no {@code java} reach them.
 */
final class Release {
    /** The repository's root: the tests run in strait-dist. */
    static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();

    final Path home;
    private final Path tools;
    private final Path scratch;

    private Release(Path home, Path tools, Path scratch) {
        this.home = home;
        this.tools = tools;
        this.scratch = scratch;
    }

    /** Unpacks the tarball {@code mvn package} built (the path failsafe passes) under {@code tmp}. */
    static Release unpack(Path tmp) throws Exception {
        Path tarball = Path.of(System.getProperty("strait.dist.tarball"));
        assertThat(tarball).as("the tarball mvn package builds").isRegularFile();
        Path tools = Files.createDirectories(tmp.resolve("tools"));
        for (String tool : List.of("readlink", "dirname")) Files.createSymbolicLink(tools.resolve(tool), Path.of("/usr/bin", tool));
        Path unpacked = Files.createDirectories(tmp.resolve("un packed"));
        Release r = new Release(unpacked.resolve("strait-" + version()), tools, tmp);
        // unpacked as the user would, in their own shell (tar calls gzip from its PATH)
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()).redirectErrorStream(true).start();
        String tarOutput = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor()).as(tarOutput).isZero();
        return r;
    }

    static String version() {
        return System.getProperty("strait.dist.version");
    }

    record Result(int exit, String output) {}

    /** {@code env -i PATH=<tools> VARS... CMD} in {@code dir}; its output (stdout and stderr) to {@code log}. */
    Process start(List<String> cmd, Path dir, List<String> vars, Path log) throws IOException {
        List<String> all = new ArrayList<>(List.of("/usr/bin/env", "-i", "PATH=" + tools));
        all.addAll(vars);
        all.addAll(cmd);
        return new ProcessBuilder(all).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    /** Runs a command to its end (at most a minute) and returns its exit code and output. */
    Result run(List<String> cmd, Path dir, List<String> vars) throws Exception {
        Path log = Files.createTempFile(scratch, "run", ".log");
        Process p = start(cmd, dir, vars, log);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd + " did not finish in 60 s:\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
