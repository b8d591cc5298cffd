package io.strait.mesh.registry;

import io.strait.mesh.identity.SpiffeId;
import java.time.Duration;
import java.time.Instant;

/**
 * A registered workload: what was registered, by whom (the caller's verified SPIFFE ID: only it may
 * heartbeat, update or deregister the instance), when it first registered and when it was last heard
 * from (a registration or a heartbeat).
 */
public record Registration(Workload workload, SpiffeId owner, Instant registeredAt, Instant lastSeen) {
    public String instanceId() {
        return workload.instanceId();
    }

    /** When it leaves the registry unless heard from again (the next sweep at or after this removes it). */
    public Instant expiresAt(Duration expiry) {
        return lastSeen.plus(expiry);
    }

    Registration seen(Instant now) {
        return new Registration(workload, owner, registeredAt, now);
    }
}
