package io.strait.mesh.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.strait.config.load.ConfigException;
import io.strait.config.load.Errors;
import io.strait.config.load.Node;
import io.strait.config.load.YamlText;
import io.strait.config.model.HostPort;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.peerauth.PeerAuthMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a sidecar's YAML in one pass, reporting every problem with its path ({@code sidecar.yaml: inbound.appPort:
 * is required}), unknown fields included (with a "did you mean"). Relative file paths resolve against the file's
 * directory; the files named must exist. The join token is never part of an error message. The text is read by
 * {@link YamlText}, as a gateway's file is (duplicate keys, aliases and a second document refused), without an
 * ObjectMapper: a sidecar's start loads none.
 */
public final class SidecarConfigReader {
    /** A service name as a DNS label (RFC 1123), as Kubernetes services are named. */
    static final Pattern SERVICE = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_PORT = 65535;

    private SidecarConfigReader() {}

    /** Reads {@code file}; relative paths in it resolve against its directory. Blocking file read. */
    public static SidecarConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage())));
        }
        return parse(text, file.toString(), file.toAbsolutePath().getParent());
    }

    /** Reads a document; {@code source} names it in errors, {@code baseDir} resolves its relative paths. */
    public static SidecarConfig parse(String yaml, String source, Path baseDir) throws ConfigException {
        JsonNode root = YamlText.read(yaml, source);
        if (root == null) root = JsonNodeFactory.instance.objectNode();
        if (!root.isObject()) throw new ConfigException(List.of(source + ": must be an object of settings"));
        Errors errors = new Errors();
        io.strait.config.load.References.resolve(root, baseDir, System::getenv, errors); // ${ENV}, ${file:...}, as the gateway's
        if (!errors.isEmpty()) throw new ConfigException(errors.list().stream().map(e -> source + ": " + e).toList());
        Node n = Node.root(root, errors);

        String service = n.requiredString("service");
        if (service != null && !SERVICE.matcher(service).matches()) {
            n.error("service", "must be a DNS label: lowercase letters, digits and '-', at most 63 (was '" + service + "')");
        }
        String namespace = segment(n, "namespace", SidecarConfig.DEFAULT_NAMESPACE);
        String account = segment(n, "serviceAccount", SidecarConfig.DEFAULT_SERVICE_ACCOUNT);
        String zone = n.string("zone", null);
        Map<String, String> labels = n.stringMap("labels");
        SidecarConfig.ControlPlane cp = controlPlane(n, baseDir);
        SidecarConfig.Inbound inbound = inbound(n);
        SidecarConfig.Outbound outbound = outbound(n);
        Node admin = n.object("admin");
        int adminPort = SidecarConfig.DEFAULT_ADMIN_PORT;
        if (admin != null) {
            adminPort = admin.integer("port", adminPort, 0, MAX_PORT);
            admin.finish();
        }
        SidecarConfig.AccessLog accessLog = accessLog(n, baseDir);
        n.finish();
        if (!errors.isEmpty()) throw new ConfigException(errors.list().stream().map(e -> source + ": " + e).toList());
        return new SidecarConfig(service, namespace, account, zone, labels, cp, inbound, outbound, new SidecarConfig.Admin(adminPort),
                accessLog);
    }

    /** {@code accessLog: {enabled: true, path: FILE}}: on, on stdout, by default; a relative path is the file's directory's. */
    private static SidecarConfig.AccessLog accessLog(Node root, Path baseDir) {
        Node n = root.object("accessLog");
        if (n == null) return SidecarConfig.AccessLog.DEFAULT;
        boolean enabled = n.bool("enabled", true);
        String path = n.string("path", null);
        if (path != null && path.isBlank()) n.error("path", "must not be empty (leave it out for stdout)");
        n.finish();
        return new SidecarConfig.AccessLog(enabled, path == null || path.isBlank() ? null : baseDir.resolve(path).normalize());
    }

    private static String segment(Node n, String field, String dflt) {
        String s = n.string(field, dflt);
        String bad = s == null ? null : SpiffeId.checkSegment(field, s);
        if (bad != null) n.error(field, bad);
        return s;
    }

    private static SidecarConfig.ControlPlane controlPlane(Node root, Path baseDir) {
        Node n = root.object("controlPlane");
        if (n == null) {
            root.skip("controlPlane");
            if (!root.has("controlPlane")) root.error("controlPlane", "is required: {address: HOST:PORT, trustBundleFile: FILE, joinTokenFile: FILE}");
            return null;
        }
        String addressText = n.requiredString("address");
        HostPort address = addressText == null ? null : HostPort.parse(addressText);
        if (addressText != null && (address == null || address.port() == 0)) {
            n.error("address", "must be host:port, such as 127.0.0.1:15012 (was '" + addressText + "')");
        }
        Path bundle = file(n, "trustBundleFile", baseDir, true);
        String token = n.string("joinToken", null);
        Path tokenFile = file(n, "joinTokenFile", baseDir, false);
        if (token != null && n.has("joinTokenFile")) {
            n.error("joinToken", "give either joinToken or joinTokenFile, not both");
        } else if (token == null && !n.has("joinTokenFile")) {
            n.error("joinTokenFile", "is required (or joinToken): the join token the first SVID is issued against");
        } else if (token != null && token.isBlank()) {
            n.error("joinToken", "must not be empty");
        }
        String trustDomain = n.string("trustDomain", SidecarConfig.ControlPlane.DEFAULT_TRUST_DOMAIN);
        String badDomain = trustDomain == null ? null : SpiffeId.checkTrustDomain(trustDomain);
        if (badDomain != null) n.error("trustDomain", badDomain);
        n.finish();
        return new SidecarConfig.ControlPlane(address, bundle, token, tokenFile, trustDomain);
    }

    private static Path file(Node n, String field, Path baseDir, boolean required) {
        String s = required ? n.requiredString(field) : n.string(field, null);
        if (s == null) return null;
        Path p = baseDir.resolve(s).normalize();
        if (!Files.isRegularFile(p)) n.error(field, "cannot read " + p + ": no such file");
        else if (!Files.isReadable(p)) n.error(field, "cannot read " + p + ": permission denied");
        return p;
    }

    private static SidecarConfig.Inbound inbound(Node root) {
        Node n = root.object("inbound");
        if (n == null) {
            root.skip("inbound");
            if (!root.has("inbound")) root.error("inbound", "is required: {appPort: PORT}, the local app's port");
            return null;
        }
        String address = n.string("address", SidecarConfig.DEFAULT_INBOUND_ADDRESS);
        if (address != null && HostPort.parse(address.contains(":") ? "[" + address + "]:1" : address + ":1") == null) {
            n.error("address", "must be an IP address or host name such as 0.0.0.0 (was '" + address + "')");
        }
        int port = n.integer("port", SidecarConfig.DEFAULT_INBOUND_PORT, 0, MAX_PORT);
        int appPort = 0;
        if (!n.has("appPort")) {
            n.skip("appPort");
            n.error("appPort", "is required: the port the local app listens on (127.0.0.1)");
        } else {
            appPort = n.integer("appPort", 0, 1, MAX_PORT);
        }
        PeerAuthMode mode = n.enumValue("mode", PeerAuthMode.class, null, SidecarConfigReader::mode);
        String advertise = n.string("advertiseAddress", null);
        if (advertise != null && (HostPort.parse(advertise.contains(":") ? "[" + advertise + "]:1" : advertise + ":1") == null
                || advertise.equals("0.0.0.0") || advertise.equals("::"))) {
            n.error("advertiseAddress", "must be the IP address or host name other hosts reach this one at, such as 10.0.3.7 (was '"
                    + advertise + "')");
        }
        n.finish();
        return new SidecarConfig.Inbound(address, port, appPort, mode, advertise);
    }

    private static PeerAuthMode mode(String s) {
        try {
            return PeerAuthMode.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static SidecarConfig.Outbound outbound(Node root) {
        Node n = root.object("outbound");
        if (n == null) return new SidecarConfig.Outbound(SidecarConfig.DEFAULT_OUTBOUND_PORT, Map.of());
        int port = n.integer("port", SidecarConfig.DEFAULT_OUTBOUND_PORT, 0, MAX_PORT);
        Map<String, Integer> services = new LinkedHashMap<>();
        Node s = n.object("services");
        if (s != null) {
            for (String name : s.fieldNames()) {
                int p = s.integer(name, 0, 1, MAX_PORT);
                String bare = name.indexOf('.') < 0 ? name : name.substring(0, name.indexOf('.'));
                if (!SERVICE.matcher(bare).matches()) {
                    s.error(name, "must be a service name, or NAME.NAMESPACE (lowercase letters, digits and '-')");
                } else if (p == port || services.containsValue(p)) {
                    s.error(name, "port " + p + " is already used by another outbound port");
                } else if (p != 0) {
                    services.put(name, p);
                }
            }
        }
        n.finish();
        return new SidecarConfig.Outbound(port, services);
    }
}
