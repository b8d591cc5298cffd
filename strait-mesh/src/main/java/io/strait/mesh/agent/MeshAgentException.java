package io.strait.mesh.agent;

/** The sidecar cannot join the mesh; the message says why (a refused join token, an unreadable bundle). */
public final class MeshAgentException extends Exception {
    public MeshAgentException(String message) {
        super(message);
    }
}
