package io.strait.mesh.agent;

import io.strait.config.model.ObservabilityConfig;
import io.strait.mesh.sidecar.MeshState;
import io.strait.mesh.sidecar.MeshStateTarget;
import io.strait.mesh.sidecar.SidecarConfig;
import io.strait.mesh.sidecar.SidecarEngine;
import io.strait.proxy.core.ApplyResult;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * A sidecar's engine before and after it starts: the config stream opens first, its first pushes are checked as the
 * engine would check them and collected into the state the engine then {@link #start}s with, so that the engine binds
 * its ports already serving its policies, peer authentication and services (one start, not a start and a reload per
 * type, and no moment with an inbound that knows no policy). Once started, every update goes to the engine. A push
 * and the start never interleave (one lock); the stream's thread is never an event loop.
 */
final class StartingEngine implements MeshStateTarget {
    private final SidecarConfig config;
    private final Clock clock;
    private final ObservabilityConfig observability;
    private MeshState state;
    private SidecarEngine engine;

    StartingEngine(SidecarConfig config, MeshState initial, Clock clock, ObservabilityConfig observability) {
        this.config = config;
        this.state = Objects.requireNonNull(initial, "initial");
        this.clock = clock;
        this.observability = observability;
    }

    @Override
    public synchronized MeshState state() {
        return engine != null ? engine.state() : state;
    }

    @Override
    public synchronized ApplyResult update(MeshState next) {
        if (engine != null) return engine.update(next);
        List<String> problems = SidecarEngine.problems(config, next, clock, observability);
        if (!problems.isEmpty()) return new ApplyResult(false, 0, null, List.copyOf(problems), List.of());
        state = next;
        return new ApplyResult(true, 0, null, List.of(), List.of());
    }

    /**
     * Starts the engine with the state collected so far: binds its ports.
     *
     * @throws IllegalArgumentException when the engine refuses it (a port in use, say), with the reason
     */
    synchronized SidecarEngine start() throws InterruptedException {
        if (engine == null) engine = SidecarEngine.start(config, state, clock, observability);
        return engine;
    }

    /** The running engine, or null before {@link #start}. */
    synchronized SidecarEngine engine() {
        return engine;
    }
}
