package io.strait.mesh.api;

import io.strait.mesh.api.v1.Label;
import io.strait.mesh.api.v1.PortMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps to and from the API's {@link Label} and {@link PortMode} lists (mesh.proto says why they are not map fields).
 * Lists are written in key order, so equal maps give equal bytes (and the same config version); read back, a key sent
 * twice keeps its last value, as a protobuf map does.
 */
public final class Labels {
    private Labels() {}

    public static List<Label> of(Map<String, String> labels) {
        List<Label> out = new ArrayList<>(labels.size());
        new TreeMap<>(labels).forEach((k, v) -> out.add(Label.newBuilder().setKey(k).setValue(v).build()));
        return out;
    }

    public static Map<String, String> map(List<Label> labels) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Label l : labels) out.put(l.getKey(), l.getValue());
        return Collections.unmodifiableMap(out);
    }

    public static List<PortMode> portModes(Map<Integer, String> modes) {
        List<PortMode> out = new ArrayList<>(modes.size());
        new TreeMap<>(modes).forEach((port, mode) -> out.add(PortMode.newBuilder().setPort(port).setMode(mode).build()));
        return out;
    }

    public static Map<Integer, String> portModes(List<PortMode> modes) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (PortMode m : modes) out.put(m.getPort(), m.getMode());
        return Collections.unmodifiableMap(out);
    }
}
