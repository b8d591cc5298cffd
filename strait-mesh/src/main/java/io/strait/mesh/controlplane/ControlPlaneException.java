package io.strait.mesh.controlplane;

/** The control plane cannot start; the message names what (the store, the CA, an address in use). */
public final class ControlPlaneException extends Exception {
    public ControlPlaneException(String message) {
        super(message);
    }
}
