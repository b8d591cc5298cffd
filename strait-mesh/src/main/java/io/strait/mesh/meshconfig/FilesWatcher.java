package io.strait.mesh.meshconfig;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the mesh's policy sources on its own daemon thread and calls back once per burst of changes: a directory
 * source for any YAML file in it (added, changed, removed), a file source through its directory (editors replace
 * files by rename), and Kubernetes' {@code ..data} link swap for both. As strait-proxy's {@code ConfigWatcher} (which
 * watches one file and is internal to the proxy): a quiet period of {@link #QUIET_MILLIS} after the last event, and a
 * call at most {@link #MAX_DELAY_MILLIS} after the first one even while files keep changing.
 */
final class FilesWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FilesWatcher.class);
    /** Editors and {@code cp} write in bursts; wait this long after the last event before reloading. */
    static final long QUIET_MILLIS = 200;
    /** Files written without pause are still read this long after the first event (ten quiet periods). */
    static final long MAX_DELAY_MILLIS = 2000;
    /** The name Kubernetes gives the symlink it swaps atomically when a mounted ConfigMap changes. */
    private static final String K8S_DATA_LINK = "..data";

    private final WatchService watch;
    private final Thread thread;

    private FilesWatcher(WatchService watch, Thread thread) {
        this.watch = watch;
        this.thread = thread;
    }

    /**
     * Starts watching the absolute {@code sources}; null (with a WARN) when the platform cannot watch them, in which
     * case reloads happen on demand only.
     */
    static FilesWatcher start(List<Path> sources, Runnable onChange) {
        Map<Path, Set<String>> dirs = new LinkedHashMap<>(); // directory -> file names of interest, empty for all YAML
        for (Path s : sources) {
            if (Files.isDirectory(s)) {
                dirs.put(s, Set.of());
            } else if (s.getParent() != null) {
                dirs.merge(s.getParent(), Set.of(s.getFileName().toString()), (a, b) -> a.isEmpty() ? a : union(a, b));
            }
        }
        WatchService ws;
        try {
            ws = FileSystems.getDefault().newWatchService();
            for (Path d : dirs.keySet()) {
                d.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        } catch (IOException e) {
            log.warn("cannot watch the mesh policy files {} for changes ({}); reload them on demand", sources, e.getMessage());
            return null;
        }
        Map<Path, Set<String>> interest = Map.copyOf(dirs);
        Thread t = new Thread(() -> loop(ws, interest, onChange), "strait-mesh-policies-watch");
        t.setDaemon(true);
        t.start();
        return new FilesWatcher(ws, t);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        var out = new java.util.HashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }

    private static void loop(WatchService ws, Map<Path, Set<String>> interest, Runnable onChange) {
        long due = 0; // when to call back (System.nanoTime), 0: nothing pending
        long first = 0;
        try {
            while (true) {
                WatchKey key = due == 0 ? ws.take() : ws.poll(Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (key != null) {
                    boolean ours = false;
                    Set<String> names = interest.getOrDefault((Path) key.watchable(), Set.of());
                    for (WatchEvent<?> e : key.pollEvents()) ours |= concerns(names, e);
                    key.reset();
                    if (ours) {
                        long now = System.nanoTime();
                        if (due == 0) first = now;
                        due = Math.min(now + TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS),
                                first + TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS));
                    }
                }
                if (due != 0 && System.nanoTime() - due >= 0) {
                    due = 0;
                    try {
                        onChange.run();
                    } catch (RuntimeException e) {
                        log.warn("reloading the mesh policies after a change failed", e);
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    /** Whether {@code e} may change a source: a YAML file of a watched directory, a watched file, ..data, lost events. */
    static boolean concerns(Set<String> names, WatchEvent<?> e) {
        if (e.kind() == StandardWatchEventKinds.OVERFLOW || !(e.context() instanceof Path name)) return true;
        String n = name.toString();
        if (n.equals(K8S_DATA_LINK)) return true;
        return names.isEmpty() ? MeshConfigReader.isYaml(name) : names.contains(n);
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        thread.interrupt();
    }
}
