package io.strait.proxy.observe;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
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

    /** Registers {@code strait_build_info{version, revision, java_version} 1} (the gateway's, a sidecar's, the control plane's). */
    public static void register(PrometheusRegistry registry) {
        BuildInfo build = current();
        Info.builder()
                .name("strait_build_info")
                .help("Always 1: the version and git revision Strait was built from, and the Java runtime it runs on")
                .labelNames("version", "revision", "java_version")
                .register(registry)
                .setLabelValues(build.version(), build.revision(), Runtime.version().toString());
    }
}
