package io.strait.mesh.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.mesh.identity.SpiffeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A registration as the store holds it ({@code registry/workloads/<instanceId>}), JSON: the workload,
 * its owner and first registration time. The last-seen time is not stored: a heartbeat writes nothing
 * (every few seconds per sidecar would be a write storm), and after a restart every stored workload has
 * one expiry period to heartbeat again.
 */
final class RegistryCodec {
    static final String KEY_PREFIX = "registry/workloads/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryCodec() {}

    static String key(String instanceId) {
        return KEY_PREFIX + instanceId;
    }

    static byte[] encode(Registration r) {
        Workload w = r.workload();
        ObjectNode o = JSON.createObjectNode();
        o.put("instanceId", w.instanceId()).put("service", w.service()).put("namespace", w.namespace())
                .put("account", w.account()).put("address", w.address()).put("zone", w.zone());
        ObjectNode labels = o.putObject("labels");
        w.labels().forEach(labels::put);
        o.put("owner", r.owner().uri()).put("registeredAt", r.registeredAt().toString());
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stored registration, last seen at {@code now}; an {@link IllegalStateException} when the entry is damaged. */
    static Registration decode(byte[] json, Instant now) {
        try {
            JsonNode o = JSON.readTree(json);
            Map<String, String> labels = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : o.get("labels").properties()) labels.put(e.getKey(), e.getValue().asText());
            Workload w = new Workload(o.get("instanceId").asText(), o.get("service").asText(), o.get("namespace").asText(),
                    o.get("account").asText(), o.get("address").asText(), o.get("zone").asText(), labels);
            return new Registration(w, SpiffeId.parse(o.get("owner").asText()), Instant.parse(o.get("registeredAt").asText()), now);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("a stored registry entry is damaged: " + e.getMessage(), e);
        }
    }
}
