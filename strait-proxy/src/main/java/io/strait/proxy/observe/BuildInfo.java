package io.strait.proxy.observe;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What Strait was built from, for {@code strait_build_info}: the project's version and the git commit, written
 * into {@code build.properties} by the build (strait-proxy's pom); {@code unknown} for what the build could not
 * tell (no git, or classes compiled outside Maven).
 */
public record BuildInfo(String version, String revision) {
    public static final String UNKNOWN = "unknown";
    private static final String RESOURCE = "build.properties";

    /** Read from the classpath once per call: call it at start-up only. */
    public static BuildInfo current() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // left unknown below
        }
        return new BuildInfo(value(p, "version"), value(p, "revision"));
    }

    private static String value(Properties p, String key) {
        String v = p.getProperty(key, "").trim();
        return v.isEmpty() || v.startsWith("${") ? UNKNOWN : v;
    }
}
