package io.strait.mesh.meshconfig;

import io.strait.config.load.ConfigException;
import io.strait.mesh.config.ControlPlaneConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's current {@link MeshConfig}, read from its policy sources at start and read again on demand
 * ({@link #reload()}, {@link #reloadAsync()}) and when a source changes on disk. A reload applies whole or not at
 * all: a refused one (any error) keeps the previous configuration and is logged with every error. Listeners hear of
 * each accepted change, on the thread that reloaded (the source's own for file changes and {@link #reloadAsync()}). Reading files blocks, so it never runs on a caller's event loop:
 * {@link #reloadAsync()} and the watcher use the source's single reload thread; {@link #current()} never blocks.
 */
public final class MeshConfigSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MeshConfigSource.class);

    private final List<Path> sources;
    private final Path baseDir;
    private final String rootNamespace;
    private final ExecutorService reloads;
    private final List<Consumer<MeshConfig>> listeners = new CopyOnWriteArrayList<>();
    private final FilesWatcher watcher;
    private volatile MeshConfig current;
    private volatile long version;

    /** The outcome of a reload: accepted (the configuration now in force, changed or not) or refused with its errors. */
    public record Reload(boolean accepted, boolean changed, MeshConfig config, long version, List<String> errors) {
        public Reload {
            errors = List.copyOf(errors);
        }
    }

    private MeshConfigSource(List<Path> sources, Path baseDir, String rootNamespace, MeshConfig initial, boolean watch) {
        this.sources = sources.stream().map(s -> baseDir.resolve(s).toAbsolutePath().normalize()).toList();
        this.baseDir = baseDir;
        this.rootNamespace = rootNamespace;
        this.current = initial;
        this.version = 1;
        this.reloads = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "strait-mesh-policies-reload");
            t.setDaemon(true);
            return t;
        });
        this.watcher = watch && !this.sources.isEmpty() ? FilesWatcher.start(this.sources, this::reloadAsync) : null;
    }

    /**
     * Reads {@code sources} (files or directories, relative ones against {@code baseDir}) and, when {@code watch},
     * watches them. A configuration with errors is refused: the control plane does not start on it.
     */
    public static MeshConfigSource start(List<Path> sources, Path baseDir, String rootNamespace, boolean watch)
            throws ConfigException {
        MeshConfig initial = MeshConfigReader.read(sources, baseDir, rootNamespace);
        log.info("mesh policies loaded from {}: {}", sources, initial);
        return new MeshConfigSource(sources, baseDir, rootNamespace, initial, watch);
    }

    /** The control plane's {@code policies} and {@code rootNamespace}, watched. */
    public static MeshConfigSource start(ControlPlaneConfig config) throws ConfigException {
        // the paths are absolute already; errors name them relative to the working directory, where the user is
        return start(config.policies(), Path.of("").toAbsolutePath(), config.rootNamespace(), true);
    }

    /** The configuration in force. */
    public MeshConfig current() {
        return current;
    }

    /** Counts accepted changes, from 1 for the first configuration: the version a distribution stream can send. */
    public long version() {
        return version;
    }

    /** Calls {@code listener} with each accepted, changed configuration (on the reloading thread; keep it short). */
    public void onChange(Consumer<MeshConfig> listener) {
        listeners.add(listener);
    }

    /** Reads the sources again now, on the calling thread (blocking file I/O: never on an event loop). */
    public synchronized Reload reload() {
        MeshConfig next;
        try {
            next = MeshConfigReader.read(sources, baseDir, rootNamespace);
        } catch (ConfigException e) {
            log.warn("mesh policies refused, keeping version {} in force:\n  {}", version, String.join("\n  ", e.errors()));
            return new Reload(false, false, current, version, e.errors());
        }
        if (next.equals(current)) return new Reload(true, false, current, version, List.of());
        current = next;
        long v = ++version;
        log.info("mesh policies version {} in force: {}", v, next);
        for (Consumer<MeshConfig> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                log.warn("a mesh policy listener failed on version {}", v, e);
            }
        }
        return new Reload(true, true, next, v, List.of());
    }

    /** {@link #reload()} on the source's reload thread, for callers on an event loop (an admin {@code POST /reload}). */
    public CompletableFuture<Reload> reloadAsync() {
        return CompletableFuture.supplyAsync(this::reload, reloads);
    }

    @Override
    public void close() {
        if (watcher != null) watcher.close();
        reloads.shutdownNow();
    }
}
