package io.strait.mesh.registry;

/** A registry operation refused; {@link #kind()} says how a transport answers it, the message says why (for the caller). */
public final class RegistryException extends Exception {
    public enum Kind {
        /** The request itself is wrong (a bad address, label, id). */
        INVALID,
        /** The caller's identity may not do this (another namespace or account, another's instance). */
        FORBIDDEN,
        /** The instance id is registered by another identity. */
        CONFLICT
    }

    private final Kind kind;

    public RegistryException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
