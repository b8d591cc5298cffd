package io.strait.mesh.inject;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code strait inject -f FILE}: injects the sidecar into every workload of a multi-document Kubernetes YAML file, as
 * {@code istioctl kube-inject} does. A document that is not a workload, or is not changed (injected already, opted out),
 * is written back exactly as it was read, comments and all; a changed one is written again as YAML. So running it
 * twice gives the output of running it once. A workload that cannot be injected is an error naming it.
 */
public final class ManifestInjector {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .build());
    /** A document separator: a line that is {@code ---}, maybe with a comment. */
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^---[ \\t]*(#.*)?$\\n?");

    /** The file injected, and what happened to each document (in order). */
    public record Result(String yaml, List<SidecarInjector.Outcome> outcomes) {
        public List<String> refusals() {
            return outcomes.stream().filter(o -> o.kind() == SidecarInjector.Kind.REFUSED).map(SidecarInjector.Outcome::reason).toList();
        }
    }

    private final SidecarInjector injector;

    public ManifestInjector(SidecarInjector injector) {
        this.injector = injector;
    }

    /** Injects into every document of {@code yaml}. @throws IllegalArgumentException when a document is not YAML */
    public Result inject(String yaml, String source) {
        List<String> docs = split(yaml);
        List<SidecarInjector.Outcome> outcomes = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < docs.size(); i++) {
            String doc = docs.get(i);
            String text = doc;
            JsonNode tree;
            try {
                tree = YAML.readTree(doc);
            } catch (JacksonException e) {
                int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
                throw new IllegalArgumentException(source + ": document " + (i + 1) + " is not valid YAML" + (line > 0 ? " (its line " + line + ")" : "")
                        + ": " + (e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("")));
            }
            if (tree != null && tree.isObject()) {
                SidecarInjector.Outcome o = injector.inject(tree);
                outcomes.add(o);
                if (o.changed()) {
                    try {
                        text = YAML.writeValueAsString(tree);
                    } catch (JacksonException e) {
                        throw new IllegalStateException("cannot write YAML", e);
                    }
                }
            }
            if (i > 0) out.append("---\n");
            out.append(text);
            if (!text.isEmpty() && !text.endsWith("\n")) out.append('\n');
        }
        return new Result(out.toString(), outcomes);
    }

    /** The documents' texts, without their separators; a leading separator makes no empty first document. */
    static List<String> split(String yaml) {
        List<String> docs = new ArrayList<>(List.of(SEPARATOR.split(yaml, -1)));
        if (docs.size() > 1 && docs.get(0).isBlank()) docs.remove(0);
        if (docs.size() > 1 && docs.get(docs.size() - 1).isBlank()) docs.remove(docs.size() - 1);
        return docs;
    }
}
