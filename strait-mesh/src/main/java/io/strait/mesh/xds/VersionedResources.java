package io.strait.mesh.xds;

import io.strait.mesh.api.v1.Resource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Every resource of one type for one node, with its version: the first 16 hex digits of a SHA-256 over the
 * resources in name order, so the same content always has the same version (a control plane that restarts
 * does not push what a sidecar already runs) and any change has a new one.
 */
public record VersionedResources(String version, List<Resource> resources) {
    public VersionedResources {
        resources = List.copyOf(resources);
    }

    /** The resources sorted by name, versioned by their content. */
    public static VersionedResources of(List<Resource> resources) {
        List<Resource> sorted = resources.stream().sorted(Comparator.comparing(Resource::getName)).toList();
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Resource r : sorted) {
                sha.update(r.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(r.getResource().toByteArray());
                sha.update((byte) 0);
            }
            return new VersionedResources(HexFormat.of().formatHex(sha.digest(), 0, 8), sorted);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }
}
