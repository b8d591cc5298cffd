package io.strait.mesh.transport;

import io.strait.mesh.identity.Svid;
import io.strait.mesh.identity.TrustBundle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one process proves and trusts on the control plane's API: its current SVID (none yet for a
 * sidecar's first CSR) and the trust bundle. Both are swapped whole when they rotate; connections made
 * after a swap use the new ones, open ones keep what they were made with.
 */
public final class MeshCredentials {
    private final AtomicReference<Svid> svid;
    private final AtomicReference<TrustBundle> bundle;

    public MeshCredentials(Svid svid, TrustBundle bundle) {
        this.svid = new AtomicReference<>(svid);
        this.bundle = new AtomicReference<>(Objects.requireNonNull(bundle, "bundle"));
    }

    /** The current SVID, or null before the first one. */
    public Svid svid() {
        return svid.get();
    }

    public void svid(Svid next) {
        svid.set(Objects.requireNonNull(next, "svid"));
    }

    public TrustBundle bundle() {
        return bundle.get();
    }

    public void bundle(TrustBundle next) {
        bundle.set(Objects.requireNonNull(next, "bundle"));
    }
}
