package io.strait.mesh.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * The mutating admission webhook's answer: an {@code admission.k8s.io/v1} AdmissionReview request in, its response
 * out, with the sidecar as a JSONPatch ({@code patchType: JSONPatch}, base64) when {@link SidecarInjector} added it.
 * The patch replaces (or adds) each field of the object's {@code metadata} and {@code spec} that injection changed,
 * whole. A pod that is not injected (opted out, injected already, or refused) is allowed unchanged; a refusal comes
 * back as a warning the client (kubectl) prints, so a workload never fails to start because of the mesh.
 */
public final class AdmissionReviews {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SidecarInjector injector;

    public AdmissionReviews(SidecarInjector injector) {
        this.injector = injector;
    }

    /** Answers one AdmissionReview (its JSON). @throws IllegalArgumentException when it is not an AdmissionReview v1 request */
    public byte[] review(byte[] body) {
        JsonNode review;
        try {
            review = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the body: " + e.getMessage());
        }
        if (review == null || !"AdmissionReview".equals(review.path("kind").asText()) || !review.path("request").isObject()) {
            throw new IllegalArgumentException("expected an AdmissionReview (admission.k8s.io/v1) with a request");
        }
        JsonNode request = review.get("request");
        ObjectNode response = JSON.createObjectNode().put("uid", request.path("uid").asText()).put("allowed", true);
        JsonNode object = request.path("object");
        if (object.isObject() && "CREATE".equals(request.path("operation").asText("CREATE"))) {
            ObjectNode before = object.deepCopy();
            ObjectNode after = object.deepCopy();
            if (!after.has("kind")) after.put("kind", request.path("kind").path("kind").asText());
            SidecarInjector.Outcome outcome = injector.inject(after);
            if (outcome.changed()) {
                response.put("patchType", "JSONPatch");
                response.put("patch", Base64.getEncoder().encodeToString(patch(before, after).toString().getBytes(StandardCharsets.UTF_8)));
            } else if (outcome.kind() == SidecarInjector.Kind.REFUSED) {
                response.putArray("warnings").add("strait: sidecar not injected: " + outcome.reason());
            }
        }
        ObjectNode answer = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        answer.set("response", response);
        try {
            return JSON.writeValueAsBytes(answer);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** JSONPatch (RFC 6902) from {@code before} to {@code after}: one add or replace per changed field of metadata and spec. */
    static ArrayNode patch(JsonNode before, JsonNode after) {
        ArrayNode ops = JSON.createArrayNode();
        for (String section : new String[] {"metadata", "spec"}) {
            JsonNode was = before.path(section);
            if (!was.isObject()) {
                ops.addObject().put("op", "add").put("path", "/" + section).set("value", after.get(section));
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = after.path(section).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode old = was.get(f.getKey());
                if (f.getValue().equals(old)) continue;
                String path = "/" + section + "/" + f.getKey().replace("~", "~0").replace("/", "~1");
                ops.addObject().put("op", old == null ? "add" : "replace").put("path", path).set("value", f.getValue());
            }
        }
        return ops;
    }
}
