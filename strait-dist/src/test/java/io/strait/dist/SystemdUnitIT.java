package io.strait.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * packaging/systemd: {@code systemd-analyze verify} accepts the unit with the release unpacked where its ExecStart
 * points (it checks that the command exists, every key and value), and says nothing; systemd-sysusers makes its user.
 */
class SystemdUnitIT {
    private static final Path UNIT = Release.REPOSITORY.resolve("packaging/systemd/strait.service");
    private static final Path SYSUSERS = Release.REPOSITORY.resolve("packaging/systemd/strait.sysusers");

    @TempDir
    static Path tmp;
    static Release release;

    @BeforeAll
    static void unpack() throws Exception {
        release = Release.unpack(tmp);
    }

    @Test
    void systemdAnalyzeVerifiesTheUnitWithoutAWord() throws Exception {
        Release.Result r = verify(Files.readString(UNIT));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).as("systemd-analyze's findings").isEmpty();
        assertThat(Files.readString(UNIT)).contains("ExecReload=/usr/bin/curl -fsS -X POST http://127.0.0.1:9901/reload")
                .contains("NoNewPrivileges=yes").contains("ProtectSystem=strict").contains("LimitNOFILE=");
    }

    @Test
    void theCheckCatchesAMisspelledKey() throws Exception {
        Release.Result r = verify(Files.readString(UNIT).replace("NoNewPrivileges=yes", "NoNewPrivilege=yes"));
        assertThat(r.output()).contains("Unknown key").contains("NoNewPrivilege");
    }

    @Test
    void sysusersCreatesTheServiceUser() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root/etc")).getParent();
        Release.Result r = release.run(List.of("/usr/bin/systemd-sysusers", "--root=" + root, SYSUSERS.toString()), tmp, List.of());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(Files.readString(root.resolve("etc/passwd"))).containsPattern("(?m)^strait:x:\\d+:\\d+:Strait API gateway:/var/lib/strait:/usr/sbin/nologin$");
    }

    /** The unit with /opt/strait replaced by the unpacked release (its ExecStart must exist), verified. */
    private static Release.Result verify(String unit) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "unit");
        Path file = dir.resolve("strait.service");
        Files.writeString(file, unit.replace("/opt/strait", release.home.toString().replace(" ", "\\x20")));
        return release.run(List.of("/usr/bin/systemd-analyze", "verify", "--man=no", file.toString()), dir, List.of());
    }
}
