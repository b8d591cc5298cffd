package io.strait.mesh.sidecar;

import io.strait.proxy.core.ApplyResult;

/**
 * Where the control plane's pushes go: the running {@link SidecarEngine}, or, before it starts, the state it will start
 * with. Either applies a state whole or refuses it with every reason (then the previous one stays).
 */
public interface MeshStateTarget {
    /** The state in force. */
    MeshState state();

    /** Applies {@code next}, or refuses it with the reasons and keeps the previous state. */
    ApplyResult update(MeshState next);
}
