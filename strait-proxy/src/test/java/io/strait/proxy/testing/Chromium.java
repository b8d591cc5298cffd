package io.strait.proxy.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's headless {@code chromium}, one run per page: {@link #dumpDom} (the DOM after the page's scripts ran for
 * a virtual time budget) or {@link #screenshot}. Each run gets a fresh profile directory; its console is captured
 * so a test can check that no script failed.
 */
public final class Chromium {
    /** How long a run may take in real time before the test fails (the first start on a loaded machine is slow). */
    private static final long TIMEOUT_SECONDS = 90;

    /** What one run left: the DOM (or nothing, for a screenshot) and Chromium's log with the page's console. */
    public record Page(String dom, String log) {
        /** The console lines that say a script failed or the Content-Security-Policy blocked something. */
        public List<String> scriptErrors() {
            return log.lines().filter(l -> l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Content Security Policy"))
                    .filter(l -> l.contains("Uncaught") || l.contains("Error") || l.contains("Content Security Policy")
                            || l.contains("dashboard error")).toList();
        }
    }

    private Chromium() {}

    /** Loads {@code url}, lets its scripts run for {@code budgetMillis} of virtual time, and returns the DOM. */
    public static Page dumpDom(String url, long budgetMillis) throws IOException, InterruptedException {
        return run(url, budgetMillis, "--dump-dom");
    }

    /** Saves a PNG of {@code url} at 1400x1000 after {@code budgetMillis} of virtual time. */
    public static Page screenshot(String url, Path png, long budgetMillis) throws IOException, InterruptedException {
        return run(url, budgetMillis, "--screenshot=" + png.toAbsolutePath(), "--window-size=1400,1000", "--hide-scrollbars");
    }

    private static Page run(String url, long budgetMillis, String... mode) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("strait-chromium-");
        Path log = Files.createTempFile("strait-chromium-", ".log");
        Path dom = Files.createTempFile("strait-chromium-", ".html");
        try {
            List<String> cmd = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                    "--virtual-time-budget=" + budgetMillis));
            cmd.addAll(List.of(mode));
            cmd.add(url);
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectError(log.toFile()).redirectOutput(dom.toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException("the dashboard tests need Debian's chromium on the PATH (apt-get install chromium; .ci/run does)", e);
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + url);
            }
            return new Page(Files.readString(dom, StandardCharsets.UTF_8), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(dom);
            try (Stream<Path> all = Files.walk(profile)) {
                for (Path f : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }
}
