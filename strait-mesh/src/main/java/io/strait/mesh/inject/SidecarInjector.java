package io.strait.mesh.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Adds Strait's sidecar to the pod template of a Kubernetes workload (a Pod, Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, ReplicationController, Job or CronJob), in place. The sidecar is a native sidecar (an init container
 * with {@code restartPolicy: Always}, Kubernetes 1.29+): it starts, and its startup probe passes once it is ready,
 * before the app's containers start, and it stops after them, so a Job still completes. It:
 * <ul>
 *   <li>runs {@code strait sidecar} with a config made at start from the pod's namespace, service account and IP
 *       (the downward API), the service name, the labels and the app's port written here;
 *   <li>joins with the token in the Secret {@code strait-join-<service account>} (key {@code token}), trusts the roots
 *       in the ConfigMap {@code strait-trust-bundle};
 *   <li>has the ports 15006 (inbound, mutual TLS), 15001 (outbound) and 15000 (admin, loopback);
 *   <li>and the app's containers get {@code HTTP_PROXY=http://127.0.0.1:15001} (their plain-HTTP calls go through it:
 *       the outbound takes absolute-form requests, as docs/mesh.md says) and {@code STRAIT_OUTBOUND} with the same URL.
 * </ul>
 * A template whose sidecar is there already is left unchanged (injecting twice is injecting once); one labelled or
 * annotated {@code strait.io/inject: "false"} is left alone.
 */
public final class SidecarInjector {
    /** Label or annotation: "true" asks for the sidecar, "false" refuses it (whatever the namespace says). */
    public static final String INJECT = "strait.io/inject";
    /** Annotation written on an injected pod template. */
    public static final String STATUS = "strait.io/sidecar-status";
    /** Annotation: the app's port, when its first container port is not it. */
    public static final String APP_PORT = "strait.io/app-port";
    /** Annotation: the service name (default: label app.kubernetes.io/name, then app, then the workload's name). */
    public static final String SERVICE = "strait.io/service";
    /** Annotation: the Secret with the join token (key {@code token}), default {@code strait-join-<service account>}. */
    public static final String JOIN_TOKEN_SECRET = "strait.io/join-token-secret";
    /** Annotation: "false" leaves the app's HTTP_PROXY alone (its calls to the mesh then go to 127.0.0.1:15001 by Host). */
    public static final String OUTBOUND_PROXY = "strait.io/outbound-proxy";
    public static final String CONTAINER = "strait-sidecar";
    public static final int INBOUND_PORT = 15006;
    public static final int OUTBOUND_PORT = 15001;
    public static final int ADMIN_PORT = 15000;
    /** The non-root user of the image (Dockerfile). */
    static final int IMAGE_USER = 10001;
    private static final String RUN_DIR = "/var/run/strait";
    private static final String TOKEN_DIR = "/etc/strait/join-token";
    private static final String BUNDLE_DIR = "/etc/strait/trust-bundle";
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern LABEL_PART = Pattern.compile("[A-Za-z0-9._/-]{0,316}");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** What injecting one document did. */
    public enum Kind { INJECTED, ALREADY_INJECTED, OPTED_OUT, NOT_A_WORKLOAD, REFUSED }

    /** The outcome for one object; {@code reason} says why it was refused, skipped or left alone. */
    public record Outcome(Kind kind, String reason) {
        public boolean changed() {
            return kind == Kind.INJECTED;
        }
    }

    private final InjectSettings settings;

    public SidecarInjector(InjectSettings settings) {
        this.settings = settings;
    }

    /** The pod template of a workload (an object with metadata and spec), or null for any other kind. */
    static ObjectNode podTemplate(JsonNode object) {
        if (object == null || !object.isObject()) return null;
        String kind = object.path("kind").asText("");
        JsonNode template = switch (kind) {
            case "Pod" -> object;
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job" -> object.path("spec").path("template");
            case "CronJob" -> object.path("spec").path("jobTemplate").path("spec").path("template");
            default -> null;
        };
        return template instanceof ObjectNode o && o.path("spec").isObject() ? o : null;
    }

    /** Injects into {@code object} in place (see the class comment) and says what it did. */
    public Outcome inject(JsonNode object) {
        ObjectNode template = podTemplate(object);
        String kind = object == null ? "" : object.path("kind").asText("");
        if (template == null) return new Outcome(Kind.NOT_A_WORKLOAD, kind.isEmpty() ? "not a Kubernetes object" : kind + " has no pod template");
        String name = kind.toLowerCase() + "/" + name(object);
        ObjectNode spec = (ObjectNode) template.get("spec");
        if (hasSidecar(spec)) return new Outcome(Kind.ALREADY_INJECTED, name + ": has its sidecar already");
        if ("false".equals(flag(template, INJECT)) || "false".equals(flag(object, INJECT))) {
            return new Outcome(Kind.OPTED_OUT, name + ": " + INJECT + " is \"false\"");
        }
        if (spec.path("hostNetwork").asBoolean(false)) return new Outcome(Kind.REFUSED, name + ": uses hostNetwork; a sidecar's ports would be the node's");
        JsonNode containers = spec.path("containers");
        if (!containers.isArray() || containers.isEmpty()) return new Outcome(Kind.REFUSED, name + ": spec.containers is empty");

        int appPort;
        String portText = annotation(template, APP_PORT);
        if (portText != null) {
            appPort = portText.matches("\\d{1,5}") ? Integer.parseInt(portText) : 0;
            if (appPort < 1 || appPort > 65535) return new Outcome(Kind.REFUSED, name + ": annotation " + APP_PORT + " must be a port, 1 to 65535 (was '" + portText + "')");
        } else {
            appPort = containers.get(0).path("ports").path(0).path("containerPort").asInt(0);
            if (appPort == 0) return new Outcome(Kind.REFUSED, name + ": its first container declares no containerPort; set the annotation " + APP_PORT);
        }
        if (appPort == INBOUND_PORT || appPort == OUTBOUND_PORT || appPort == ADMIN_PORT) {
            return new Outcome(Kind.REFUSED, name + ": the app's port " + appPort + " is one of the sidecar's (15000, 15001, 15006)");
        }
        String service = service(object, template);
        if (service == null || !DNS_LABEL.matcher(service).matches()) {
            return new Outcome(Kind.REFUSED, name + ": the service name '" + service + "' is not a DNS label; set the annotation " + SERVICE);
        }
        String account = spec.path("serviceAccountName").asText("default");
        String secret = annotation(template, JOIN_TOKEN_SECRET);
        if (secret == null) secret = "strait-join-" + account;

        ArrayNode init = spec.withArray("initContainers");
        init.insert(0, sidecar(service, labels(template), appPort));
        ArrayNode volumes = spec.withArray("volumes");
        volumes.add(NODES.objectNode().put("name", "strait-run").set("emptyDir", NODES.objectNode()));
        volumes.add(NODES.objectNode().put("name", "strait-join-token")
                .set("secret", NODES.objectNode().put("secretName", secret).put("defaultMode", 0440)));
        volumes.add(NODES.objectNode().put("name", "strait-trust-bundle")
                .set("configMap", NODES.objectNode().put("name", InjectSettings.TRUST_BUNDLE_CONFIGMAP)));
        if (!"false".equals(annotation(template, OUTBOUND_PROXY))) {
            for (JsonNode c : containers) outboundEnv((ObjectNode) c);
        }
        ((ObjectNode) template.withObject("/metadata")).withObject("/annotations").put(STATUS, "injected");
        return new Outcome(Kind.INJECTED, name + ": sidecar added (service " + service + ", app port " + appPort + ", join token from Secret " + secret + ")");
    }

    static boolean hasSidecar(JsonNode spec) {
        for (String list : new String[] {"initContainers", "containers"}) {
            for (JsonNode c : spec.path(list)) if (CONTAINER.equals(c.path("name").asText())) return true;
        }
        return false;
    }

    private ObjectNode sidecar(String service, Map<String, String> labels, int appPort) {
        ObjectNode c = NODES.objectNode();
        c.put("name", CONTAINER).put("image", settings.image()).put("imagePullPolicy", settings.imagePullPolicy());
        c.put("restartPolicy", "Always");
        c.putArray("command").add("/bin/sh").add("-c").add(startScript(service, labels, appPort));
        ArrayNode ports = c.putArray("ports");
        ports.addObject().put("name", "strait-inbound").put("containerPort", INBOUND_PORT).put("protocol", "TCP");
        ports.addObject().put("name", "strait-outbound").put("containerPort", OUTBOUND_PORT).put("protocol", "TCP");
        ports.addObject().put("name", "strait-admin").put("containerPort", ADMIN_PORT).put("protocol", "TCP");
        ArrayNode env = c.putArray("env");
        env.add(fieldEnv("POD_NAMESPACE", "metadata.namespace"));
        env.add(fieldEnv("POD_SERVICE_ACCOUNT", "spec.serviceAccountName"));
        env.add(fieldEnv("POD_IP", "status.podIP"));
        // the admin listens on loopback only: probes run curl inside the container
        ObjectNode ready = NODES.objectNode();
        ready.putObject("exec").putArray("command").add("curl").add("-fsS").add("-o").add("/dev/null").add("http://127.0.0.1:" + ADMIN_PORT + "/ready");
        c.set("startupProbe", ready.deepCopy().put("periodSeconds", 1).put("failureThreshold", 120));
        c.set("readinessProbe", ready.deepCopy().put("periodSeconds", 5));
        c.set("livenessProbe", ready.deepCopy().put("periodSeconds", 10).put("failureThreshold", 3));
        ObjectNode resources = c.putObject("resources");
        resources.putObject("requests").put("cpu", "50m").put("memory", "96Mi");
        resources.putObject("limits").put("memory", "256Mi");
        ObjectNode security = c.putObject("securityContext");
        security.put("runAsNonRoot", true).put("runAsUser", IMAGE_USER).put("runAsGroup", IMAGE_USER)
                .put("allowPrivilegeEscalation", false).put("readOnlyRootFilesystem", true);
        security.putObject("capabilities").putArray("drop").add("ALL");
        ArrayNode mounts = c.putArray("volumeMounts");
        mounts.addObject().put("name", "strait-run").put("mountPath", RUN_DIR);
        // the JVM's own files (hsperfdata) on the read-only root file system
        mounts.addObject().put("name", "strait-run").put("mountPath", "/tmp").put("subPath", "tmp");
        mounts.addObject().put("name", "strait-join-token").put("mountPath", TOKEN_DIR).put("readOnly", true);
        mounts.addObject().put("name", "strait-trust-bundle").put("mountPath", BUNDLE_DIR).put("readOnly", true);
        return c;
    }

    /**
     * The sidecar's start: writes its config (docs/mesh.md, "The sidecar's configuration") with the pod's values from
     * the downward API, then execs {@code strait sidecar}. Every value written here is a DNS label, a label matching
     * Kubernetes' syntax, a port or a setting's host:port, so none needs shell or YAML quoting beyond the double quotes.
     */
    private String startScript(String service, Map<String, String> labels, int appPort) {
        StringBuilder labelText = new StringBuilder();
        labels.forEach((k, v) -> labelText.append(labelText.isEmpty() ? "" : ", ").append('"').append(k).append("\": \"").append(v).append('"'));
        return "cat > " + RUN_DIR + "/sidecar.yaml <<EOF\n"
                + "service: " + service + "\n"
                + "namespace: \"${POD_NAMESPACE}\"\n"
                + "serviceAccount: \"${POD_SERVICE_ACCOUNT}\"\n"
                + "labels: {" + labelText + "}\n"
                + "controlPlane:\n"
                + "  address: \"" + settings.controlPlaneAddress() + "\"\n"
                + "  trustDomain: \"" + settings.trustDomain() + "\"\n"
                + "  trustBundleFile: " + BUNDLE_DIR + "/" + InjectSettings.TRUST_BUNDLE_KEY + "\n"
                + "  joinTokenFile: " + TOKEN_DIR + "/token\n"
                + "inbound: {port: " + INBOUND_PORT + ", appPort: " + appPort + ", advertiseAddress: \"${POD_IP}\"}\n"
                + "outbound: {port: " + OUTBOUND_PORT + "}\n"
                + "admin: {port: " + ADMIN_PORT + "}\n"
                + "EOF\n"
                + "exec /opt/strait/bin/strait sidecar --config " + RUN_DIR + "/sidecar.yaml\n";
    }

    private static void outboundEnv(ObjectNode container) {
        ArrayNode env = container.withArray("env");
        for (JsonNode e : env) if (e.path("name").asText().equals("STRAIT_OUTBOUND")) return;
        String url = "http://127.0.0.1:" + OUTBOUND_PORT;
        env.addObject().put("name", "STRAIT_OUTBOUND").put("value", url);
        env.addObject().put("name", "HTTP_PROXY").put("value", url);
        env.addObject().put("name", "http_proxy").put("value", url);
        env.addObject().put("name", "NO_PROXY").put("value", "localhost,127.0.0.1,::1");
        env.addObject().put("name", "no_proxy").put("value", "localhost,127.0.0.1,::1");
    }

    private static ObjectNode fieldEnv(String name, String fieldPath) {
        ObjectNode e = NODES.objectNode().put("name", name);
        e.putObject("valueFrom").putObject("fieldRef").put("fieldPath", fieldPath);
        return e;
    }

    /** The pod's labels that are safe to write unquoted-by-shell (Kubernetes' label syntax), for policy selectors. */
    private static Map<String, String> labels(JsonNode template) {
        Map<String, String> out = new java.util.TreeMap<>();
        template.path("metadata").path("labels").fields().forEachRemaining(e -> {
            String v = e.getValue().asText("");
            if (LABEL_PART.matcher(e.getKey()).matches() && LABEL_PART.matcher(v).matches() && !e.getKey().equals(INJECT)) out.put(e.getKey(), v);
        });
        return out;
    }

    private static String service(JsonNode object, JsonNode template) {
        String s = annotation(template, SERVICE);
        if (s != null) return s;
        JsonNode labels = template.path("metadata").path("labels");
        if (labels.hasNonNull("app.kubernetes.io/name")) return labels.get("app.kubernetes.io/name").asText();
        if (labels.hasNonNull("app")) return labels.get("app").asText();
        String n = name(object);
        return n.endsWith("-") ? n.substring(0, n.length() - 1) : n;
    }

    private static String name(JsonNode object) {
        JsonNode meta = object.path("metadata");
        return meta.hasNonNull("name") ? meta.get("name").asText() : meta.path("generateName").asText("");
    }

    private static String annotation(JsonNode object, String key) {
        JsonNode v = object.path("metadata").path("annotations").get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A label's value, else an annotation's. */
    private static String flag(JsonNode object, String key) {
        JsonNode v = object.path("metadata").path("labels").get(key);
        return v != null && !v.isNull() ? v.asText() : annotation(object, key);
    }
}
