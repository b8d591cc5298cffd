package io.strait.mesh.meshconfig;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.strait.config.load.ConfigException;
import io.strait.config.load.Errors;
import io.strait.config.load.TrafficSettingsReader;
import io.strait.config.load.YamlText;
import io.strait.mesh.authz.AuthorizationPolicy;
import io.strait.mesh.authz.PolicyException;
import io.strait.mesh.authz.PolicyReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads the mesh's configuration from YAML files and directories (every {@code *.yaml} and {@code *.yml} file of a
 * directory, by name, not descending, skipping hidden names such as Kubernetes' {@code ..data}): documents of kinds
 * {@code AuthorizationPolicy}, {@code PeerAuthentication} (Istio's) and {@code TrafficPolicy} (Strait's), several per
 * file separated by {@code ---}. Every problem is reported at once, each naming the file, the document's index in it
 * (from 0) and the field: {@code policies/orders.yaml: [1] spec.rules[0].to[0].operation.paths[2]: ...}; unknown
 * kinds and fields are errors. Blocking file I/O: call it off the event loop.
 */
public final class MeshConfigReader {
    /** The kinds a mesh file may hold. */
    static final List<String> KINDS = List.of("AuthorizationPolicy", "PeerAuthentication", TrafficPolicyReader.KIND);
    /** SnakeYAML's own limit (3 Mi code points), checked first so that a huge file is refused plainly. */
    static final int MAX_CHARS = 3 * 1024 * 1024;

    private final Path baseDir;
    private final List<String> errors = new ArrayList<>();
    private final List<AuthorizationPolicy> authz = new ArrayList<>();
    private final List<PeerAuthentication> peers = new ArrayList<>();
    private final List<ServiceTrafficPolicy> traffic = new ArrayList<>();

    private MeshConfigReader(Path baseDir) {
        this.baseDir = baseDir;
    }

    /**
     * Reads every document of {@code sources} (files or directories; relative ones against {@code baseDir}, which also
     * shortens the names in errors) with {@code rootNamespace} as the mesh-wide namespace.
     */
    public static MeshConfig read(List<Path> sources, Path baseDir, String rootNamespace) throws ConfigException {
        MeshConfigReader r = new MeshConfigReader(baseDir.toAbsolutePath().normalize());
        for (Path file : r.files(sources)) r.file(file);
        new MeshConfigChecks(r.errors, rootNamespace).check(r.authz, r.peers, r.traffic);
        if (!r.errors.isEmpty()) throw new ConfigException(r.errors);
        return new MeshConfig(rootNamespace, r.authz, r.peers, r.traffic);
    }

    /** The files of {@code sources} in order: a directory's YAML files by name. */
    private List<Path> files(List<Path> sources) {
        List<Path> out = new ArrayList<>();
        for (Path source : sources) {
            Path p = baseDir.resolve(source).normalize();
            if (Files.isDirectory(p)) {
                try (Stream<Path> list = Files.list(p)) {
                    list.filter(f -> isYaml(f) && Files.isRegularFile(f)).sorted().forEach(out::add);
                } catch (IOException e) {
                    errors.add(display(p) + ": cannot list the directory: " + e.getMessage());
                }
            } else if (Files.exists(p)) {
                out.add(p);
            } else {
                errors.add(display(p) + ": no such file or directory");
            }
        }
        return out;
    }

    /** A YAML file of a directory: {@code .yaml} or {@code .yml}, not hidden (Kubernetes' {@code ..data} entries). */
    static boolean isYaml(Path f) {
        String n = f.getFileName().toString();
        return !n.startsWith(".") && (n.endsWith(".yaml") || n.endsWith(".yml"));
    }

    private String display(Path p) {
        return p.startsWith(baseDir) && !p.equals(baseDir) ? baseDir.relativize(p).toString() : p.toString();
    }

    private void file(Path file) {
        String name = display(file);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            errors.add(name + ": no such file");
            return;
        } catch (CharacterCodingException e) {
            errors.add(name + ": cannot read: not UTF-8 text");
            return;
        } catch (IOException e) {
            errors.add(name + ": cannot read: " + e.getMessage());
            return;
        }
        if (text.length() > MAX_CHARS) {
            errors.add(name + ": the file is too large (" + text.length() + " characters; at most " + MAX_CHARS + ")");
            return;
        }
        int index = 0;
        try (MappingIterator<JsonNode> docs = YamlFiles.YAML.readerFor(JsonNode.class).readValues(text)) {
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                int i = index++;
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) document(name, i, doc);
            }
        } catch (JacksonException e) {
            String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            errors.add(name + ": [" + index + "] not valid YAML" + (line > 0 ? " at line " + line : "") + ": "
                    + msg.lines().findFirst().orElse("").strip());
        } catch (IOException e) {
            errors.add(name + ": cannot read: " + e.getMessage());
        }
    }

    private void document(String file, int index, JsonNode doc) {
        String where = file + ": [" + index + "] ";
        String source = file + " [" + index + "]";
        if (!doc.isObject()) {
            errors.add(where + "(document): must be a mapping with apiVersion, kind, metadata and spec");
            return;
        }
        JsonNode k = doc.get("kind");
        String kind = k == null || k.isNull() ? null : k.asText();
        if (kind == null) {
            errors.add(where + "kind: is required: one of " + String.join(", ", KINDS));
            return;
        }
        switch (kind) {
            case "AuthorizationPolicy" -> {
                try {
                    authz.add(PolicyReader.parseDocument(file, index, doc));
                } catch (PolicyException e) {
                    errors.addAll(e.errors());
                }
            }
            case "PeerAuthentication", TrafficPolicyReader.KIND -> {
                Errors found = new Errors();
                var node = TrafficSettingsReader.node(doc, "", found);
                if (kind.equals(TrafficPolicyReader.KIND)) {
                    ServiceTrafficPolicy t = TrafficPolicyReader.read(node, source, doc.toString());
                    if (t != null) traffic.add(t);
                } else {
                    PeerAuthentication p = PeerAuthenticationReader.read(node, source);
                    if (p != null) peers.add(p);
                }
                for (String e : found.list()) errors.add(where + e);
            }
            default -> errors.add(where + "kind: unknown kind '" + kind + "': expected one of " + String.join(", ", KINDS)
                    + (kind.equals("DestinationRule") || kind.equals("VirtualService")
                    ? " (write retries, timeouts, breakers and splits as a strait.io/v1 TrafficPolicy)" : ""));
        }
    }

    /** Checks across documents: one object per name, one mesh- and namespace-wide PeerAuthentication, one policy per service. */
    private record MeshConfigChecks(List<String> errors, String rootNamespace) {
        void check(List<AuthorizationPolicy> authz, List<PeerAuthentication> peers, List<ServiceTrafficPolicy> traffic) {
            Map<String, String> seen = new HashMap<>();
            for (AuthorizationPolicy p : authz) unique(seen, "AuthorizationPolicy", p.id(), p.source());
            seen.clear();
            Map<String, String> scopes = new HashMap<>();
            for (PeerAuthentication p : peers) {
                unique(seen, "PeerAuthentication", p.id(), p.source());
                if (p.workloadLevel() && p.namespace().equals(rootNamespace)) {
                    errors.add(at(p.source()) + "spec.selector: Istio ignores a PeerAuthentication with a selector in the"
                            + " root namespace " + rootNamespace + ": move it to the workload's namespace, or drop the"
                            + " selector for a mesh-wide policy");
                } else if (!p.workloadLevel()) {
                    String scope = p.namespace().equals(rootNamespace) ? "mesh-wide" : "namespace-wide (" + p.namespace() + ")";
                    String first = scopes.putIfAbsent(scope, p.source());
                    if (first != null) {
                        errors.add(at(p.source()) + "spec: a second " + scope + " PeerAuthentication (the first is " + first
                                + "); Istio would use the oldest: keep one");
                    }
                }
            }
            seen.clear();
            Map<String, String> names = new HashMap<>();
            for (ServiceTrafficPolicy t : traffic) {
                unique(names, "TrafficPolicy", t.namespace() + "/" + t.name(), t.source());
                String first = seen.putIfAbsent(t.serviceId(), t.source());
                if (first != null) {
                    errors.add(at(t.source()) + "spec.service: service " + t.serviceId() + " already has a TrafficPolicy ("
                            + first + "): write its settings in one");
                }
            }
        }

        private void unique(Map<String, String> seen, String kind, String id, String source) {
            String first = seen.putIfAbsent(id, source);
            if (first != null) errors.add(at(source) + "metadata.name: " + kind + " " + id + " is defined twice (first at " + first + ")");
        }

        /** {@code orders.yaml [1]} to {@code orders.yaml: [1] }. */
        private static String at(String source) {
            int i = source.lastIndexOf(" [");
            return source.substring(0, i) + ": " + source.substring(i + 1) + " ";
        }
    }

    /**
     * A {@code TrafficPolicy} document pushed by the control plane ({@link ServiceTrafficPolicy#document()}), read with
     * the same reader as the control plane's files; {@code source} names it in errors. The JSON is read by
     * {@link YamlText#readJson} (no ObjectMapper on a sidecar's path).
     *
     * @throws ConfigException listing every problem
     */
    public static ServiceTrafficPolicy trafficPolicy(String json, String source) throws ConfigException {
        JsonNode doc = YamlText.readJson(json, source);
        if (doc == null) throw new ConfigException(List.of(source + ": not valid JSON: no document"));
        Errors found = new Errors();
        var node = TrafficSettingsReader.node(doc, "", found);
        ServiceTrafficPolicy t = TrafficPolicyReader.read(node, source, json);
        if (t == null || !found.isEmpty()) throw new ConfigException(found.list().stream().map(e -> source + ": " + e).toList());
        return t;
    }

    /**
     * The control plane's multi-document YAML reader, in a holder so that a sidecar, which only calls
     * {@link #trafficPolicy}, never builds its ObjectMapper (about a thousand classes at start).
     */
    private static final class YamlFiles {
        static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build());
    }
}
