package io.strait.mesh.authz;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A request given whole (the CLI's offline check, tests); header names are matched case-insensitively. */
public record AuthzRequest(Peer peer, String method, String path, Map<String, String> headers)
        implements RequestAttributes {
    public AuthzRequest {
        Map<String, String> lower = new LinkedHashMap<>();
        headers.forEach((k, v) -> lower.merge(k.toLowerCase(Locale.ROOT), v, (a, b) -> a + "," + b));
        headers = Map.copyOf(lower);
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }
}
