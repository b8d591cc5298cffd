package io.strait.mesh.registry;

/**
 * One change of the registry, told to its listeners: a workload registered, updated (registered again
 * with other data; {@code previous} is the old one), deregistered or expired. {@code revision} is the
 * registry's revision after the change; {@link Registry#snapshot()} at that revision or later includes it.
 */
public record RegistryChange(Kind kind, Registration registration, Registration previous, long revision) {
    public enum Kind { REGISTERED, UPDATED, DEREGISTERED, EXPIRED }

    /** The services ({@code namespace/service}) whose endpoints this change touches: one, or two when an update moved the workload. */
    public java.util.Set<String> services() {
        java.util.Set<String> s = new java.util.TreeSet<>();
        s.add(registration.workload().serviceKey());
        if (previous != null) s.add(previous.workload().serviceKey());
        return s;
    }
}
