package io.strait.mesh.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.strait.config.load.ConfigException;
import io.strait.config.load.Durations;
import io.strait.config.load.Errors;
import io.strait.config.model.HostPort;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.registry.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the control plane's YAML ({@code trustDomain}, {@code dataDir}, {@code ca}, {@code svid}, {@code registry}, {@code api},
 * {@code admin}, {@code policies}, {@code rootNamespace}, {@code injection}) in
 * one pass, reporting every problem with its path ({@code ca.keyFile: cannot read /x/ca.key: no such
 * file}), unknown fields included, as the rest of Strait's config does. What is valid but unwise (an
 * {@code svid.ttl} under {@link CertificateAuthority#SHORT_SVID_TTL}) is logged at WARN once per load, with its path.
 */
public final class ControlPlaneConfigReader {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneConfigReader.class);
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build());
    private static final Set<String> TOP = Set.of("trustDomain", "dataDir", "ca", "svid", "registry", "api", "admin", "policies",
            "rootNamespace", "injection", "telemetry");
    private static final Set<String> INJECTION = Set.of("address", "certFile", "keyFile", "image", "imagePullPolicy", "controlPlaneAddress");
    private static final Set<String> ADDRESS = Set.of("address");
    /** A Kubernetes namespace name (DNS-1123 label), as the root namespace must be. */
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Set<String> CA = Set.of("certFile", "keyFile", "chainFile", "bundleFile", "dir");
    private static final Set<String> SVID = Set.of("ttl");
    private static final Set<String> REGISTRY = Set.of("heartbeatInterval", "expiry");
    private static final Set<String> TELEMETRY = Set.of("reportInterval");

    private ControlPlaneConfigReader() {}

    /** Reads {@code file}; relative paths in it resolve against its directory. Blocking file read. */
    public static ControlPlaneConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage())));
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), base);
    }

    public static ControlPlaneConfig parse(String yaml, String source, Path baseDir) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            String msg = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage().lines().findFirst().orElse("");
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ConfigException(List.of(source + ": not valid YAML" + (line > 0 ? " at line " + line : "") + ": " + msg));
        }
        Errors errors = new Errors();
        if (root == null || root.isMissingNode() || root.isNull()) root = YAML.createObjectNode();
        if (!root.isObject()) throw new ConfigException(List.of(source + ": must be an object of settings"));
        unknown(root, "", TOP, errors);

        String trustDomain = string(root, "trustDomain", ControlPlaneConfig.DEFAULT_TRUST_DOMAIN, errors);
        String bad = SpiffeId.checkTrustDomain(trustDomain);
        if (bad != null) errors.add("trustDomain", bad);

        Path dataDir = baseDir.resolve(string(root, "dataDir", ControlPlaneConfig.DEFAULT_DATA_DIR, errors)).normalize();

        JsonNode ca = object(root, "ca", errors);
        unknown(ca, "ca.", CA, errors);
        Path certFile = file(ca, "ca.", "certFile", baseDir, errors);
        Path keyFile = file(ca, "ca.", "keyFile", baseDir, errors);
        Path chainFile = file(ca, "ca.", "chainFile", baseDir, errors);
        Path bundleFile = file(ca, "ca.", "bundleFile", baseDir, errors);
        String dirText = string(ca, "dir", null, errors, "ca.");
        if ((certFile == null) != (keyFile == null)) {
            errors.add(certFile == null ? "ca.certFile" : "ca.keyFile", "is required with ca." + (certFile == null ? "keyFile" : "certFile"));
        }
        if (certFile == null && (chainFile != null || bundleFile != null)) {
            errors.add(chainFile != null ? "ca.chainFile" : "ca.bundleFile", "needs ca.certFile and ca.keyFile");
        }
        if (certFile != null && dirText != null) errors.add("ca.dir", "give either ca.dir (a generated root) or ca.certFile and ca.keyFile (your own PKI), not both");
        Path caDir = certFile != null ? null
                : dirText != null ? baseDir.resolve(dirText).normalize() : dataDir.resolve(ControlPlaneConfig.DEFAULT_CA_SUBDIR);

        JsonNode svid = object(root, "svid", errors);
        unknown(svid, "svid.", SVID, errors);
        Duration ttl = duration(svid, "svid.", "ttl", CertificateAuthority.DEFAULT_SVID_TTL, errors);
        String badTtl = CertificateAuthority.checkTtl(ttl);
        if (badTtl != null) errors.add("svid.ttl", badTtl);

        ControlPlaneConfig.RegistryConfig registry = registry(object(root, "registry", errors), errors);
        HostPort api = address(object(root, "api", errors), "api.", ControlPlaneConfig.Listen.DEFAULTS.api(), errors);
        HostPort admin = address(object(root, "admin", errors), "admin.", ControlPlaneConfig.Listen.DEFAULTS.admin(), errors);
        if (api.port() != 0 && api.port() == admin.port()) errors.add("admin.address", "must not be the port of api.address (" + api.port() + ")");
        List<Path> policies = policies(root, baseDir, errors);
        String rootNamespace = string(root, "rootNamespace", ControlPlaneConfig.DEFAULT_ROOT_NAMESPACE, errors);
        if (!NAMESPACE.matcher(rootNamespace).matches()) {
            errors.add("rootNamespace", "'" + rootNamespace + "' must be a namespace name: lower-case letters, digits and '-'");
        }

        ControlPlaneConfig.Injection injection = injection(object(root, "injection", errors), trustDomain, baseDir, errors);
        if (injection != null && (injection.address().port() == api.port() || injection.address().port() == admin.port()) && injection.address().port() != 0) {
            errors.add("injection.address", "must not be the port of api.address or admin.address (" + injection.address().port() + ")");
        }
        ControlPlaneConfig.TelemetryConfig telemetry = telemetry(object(root, "telemetry", errors), errors);

        if (!errors.isEmpty()) throw new ConfigException(errors.list().stream().map(e -> source + ": " + e).toList());
        String shortTtl = CertificateAuthority.shortTtlWarning(ttl);
        if (shortTtl != null) LOG.warn("{}: svid.ttl: {}", source, shortTtl);
        return new ControlPlaneConfig(trustDomain, dataDir,
                new ControlPlaneConfig.CaConfig(certFile, keyFile, chainFile, bundleFile, caDir), new ControlPlaneConfig.SvidConfig(ttl), registry,
                new ControlPlaneConfig.Listen(api, admin), policies, rootNamespace, injection, telemetry);
    }

    /** {@code injection}: the sidecar injection webhook, with its HTTPS certificate and what the sidecar is made of. */
    private static ControlPlaneConfig.Injection injection(JsonNode node, String trustDomain, Path baseDir, Errors errors) {
        if (node == null) return null;
        unknown(node, "injection.", INJECTION, errors);
        HostPort address = ControlPlaneConfig.Injection.DEFAULT_ADDRESS;
        String text = string(node, "address", null, errors, "injection.");
        if (text != null) {
            HostPort hp = HostPort.parse(text);
            if (hp == null) errors.add("injection.address", "must be host:port, such as 0.0.0.0:15017 (was '" + text + "')");
            else address = hp;
        }
        Path certFile = file(node, "injection.", "certFile", baseDir, errors);
        Path keyFile = file(node, "injection.", "keyFile", baseDir, errors);
        if (certFile == null && !node.has("certFile")) errors.add("injection.certFile", "is required: the webhook's HTTPS certificate (PEM)");
        if (keyFile == null && !node.has("keyFile")) errors.add("injection.keyFile", "is required: the key of injection.certFile (PEM)");
        String pullPolicy = string(node, "imagePullPolicy", null, errors, "injection.");
        if (pullPolicy != null && !Set.of("Always", "IfNotPresent", "Never").contains(pullPolicy)) {
            errors.add("injection.imagePullPolicy", "unknown value '" + pullPolicy + "'; expected one of Always, IfNotPresent, Never");
        }
        String cpAddress = string(node, "controlPlaneAddress", null, errors, "injection.");
        if (cpAddress != null && HostPort.parse(cpAddress) == null) {
            errors.add("injection.controlPlaneAddress", "must be host:port, such as strait-control-plane.strait-system.svc:15012 (was '" + cpAddress + "')");
        }
        return new ControlPlaneConfig.Injection(address, certFile, keyFile,
                new io.strait.mesh.inject.InjectSettings(string(node, "image", null, errors, "injection."), pullPolicy, cpAddress, trustDomain));
    }

    /** {@code telemetry.reportInterval}: how often sidecars report their inbound's calls (1s to 30s). */
    private static ControlPlaneConfig.TelemetryConfig telemetry(JsonNode node, Errors errors) {
        unknown(node, "telemetry.", TELEMETRY, errors);
        Duration interval = duration(node, "telemetry.", "reportInterval", ControlPlaneConfig.TelemetryConfig.DEFAULTS.reportInterval(), errors);
        String bad = ControlPlaneConfig.TelemetryConfig.check(interval);
        if (bad != null) {
            errors.add("telemetry.reportInterval", bad);
            return ControlPlaneConfig.TelemetryConfig.DEFAULTS;
        }
        return new ControlPlaneConfig.TelemetryConfig(interval);
    }

    /** {@code registry.heartbeatInterval} and {@code registry.expiry} (default: 15s, or 3 heartbeat intervals when longer). */
    private static ControlPlaneConfig.RegistryConfig registry(JsonNode node, Errors errors) {
        unknown(node, "registry.", REGISTRY, errors);
        Duration heartbeat = duration(node, "registry.", "heartbeatInterval", Registry.DEFAULT_HEARTBEAT_INTERVAL, errors);
        String bad = Registry.checkHeartbeatInterval(heartbeat);
        if (bad != null) {
            errors.add("registry.heartbeatInterval", bad);
            heartbeat = Registry.DEFAULT_HEARTBEAT_INTERVAL;
        }
        Duration expiry = duration(node, "registry.", "expiry", Registry.defaultExpiry(heartbeat), errors);
        String badExpiry = Registry.checkExpiry(expiry, heartbeat);
        if (badExpiry != null && bad == null) errors.add("registry.expiry", badExpiry);
        return new ControlPlaneConfig.RegistryConfig(heartbeat, expiry);
    }

    /** {@code <section>.address}: host:port (port 0: any free port). */
    private static HostPort address(JsonNode node, String prefix, HostPort dflt, Errors errors) {
        unknown(node, prefix, ADDRESS, errors);
        String text = string(node, "address", null, errors, prefix);
        if (text == null) return dflt;
        HostPort hp = HostPort.parse(text);
        if (hp == null) {
            errors.add(prefix + "address", "must be host:port, such as 0.0.0.0:15012 (was '" + text + "')");
            return dflt;
        }
        return hp;
    }

    /**
     * {@code policies}: one path or a list, each a YAML file or a directory of them, which must exist (their documents
     * are read and checked by {@link io.strait.mesh.meshconfig.MeshConfigReader}).
     */
    private static List<Path> policies(JsonNode root, Path baseDir, Errors errors) {
        JsonNode v = root.get("policies");
        if (v == null || v.isNull()) return List.of();
        List<JsonNode> entries = new ArrayList<>();
        if (v.isArray()) v.forEach(entries::add);
        else entries.add(v);
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String path = v.isArray() ? "policies[" + i + "]" : "policies";
            JsonNode e = entries.get(i);
            if (!e.isValueNode() || e.asText().isBlank()) {
                errors.add(path, "must be a file or directory of policy documents");
                continue;
            }
            Path p = baseDir.resolve(e.asText()).normalize();
            if (!Files.exists(p)) errors.add(path, "no such file or directory: " + p);
            else if (!Files.isReadable(p)) errors.add(path, "cannot read " + p + ": permission denied");
            else out.add(p);
        }
        return out;
    }

    private static void unknown(JsonNode node, String prefix, Set<String> known, Errors errors) {
        if (node == null) return;
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        for (String f : names) {
            if (known.contains(f)) continue;
            String hint = known.stream().filter(k -> k.equalsIgnoreCase(f) || distance(k.toLowerCase(), f.toLowerCase()) <= 2).findFirst().orElse(null);
            errors.add(prefix + f, hint == null ? "unknown field" : "unknown field (did you mean '" + hint + "'?)");
        }
    }

    private static String string(JsonNode node, String field, String dflt, Errors errors) {
        return string(node, field, dflt, errors, "");
    }

    private static String string(JsonNode node, String field, String dflt, Errors errors, String prefix) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isValueNode() || v.asText().isBlank()) {
            errors.add(prefix + field, "must be a non-empty string");
            return dflt;
        }
        return v.asText();
    }

    private static JsonNode object(JsonNode node, String field, Errors errors) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) {
            errors.add(field, "must be an object");
            return null;
        }
        return v;
    }

    private static Path file(JsonNode node, String prefix, String field, Path baseDir, Errors errors) {
        String s = string(node, field, null, errors, prefix);
        if (s == null) return null;
        Path p = baseDir.resolve(s).normalize();
        if (!Files.isRegularFile(p)) errors.add(prefix + field, "cannot read " + p + ": no such file");
        else if (!Files.isReadable(p)) errors.add(prefix + field, "cannot read " + p + ": permission denied");
        return p;
    }

    private static Duration duration(JsonNode node, String prefix, String field, Duration dflt, Errors errors) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) return dflt;
        if (v.isValueNode() && Durations.parse(v.asText()) instanceof Durations.Parsed.Ok ok) {
            return ok.duration();
        }
        errors.add(prefix + field, Durations.SYNTAX + " (was '" + (v.isValueNode() ? v.asText() : "an object") + "')");
        return dflt;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            prev = cur;
        }
        return prev[b.length()];
    }
}
