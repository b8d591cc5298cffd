package io.strait.cli.mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Steady load: client threads that each send one call after another, {@link #PAUSE_MILLIS} apart, until closed, counting 200s and
 * recording anything else.
 */
final class Load implements AutoCloseable {
    /**
     * Between one client's calls: steady load, not a flood (a flood on the shared 2-core machine would only slow the processes
     * under test, a restarting control plane included); a few clients make a hundred or more calls a second.
     */
    static final long PAUSE_MILLIS = 10;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    private Load() {}

    static Load start(int clients, Callable<MeshClient.Answer> call) {
        Load load = new Load();
        for (int i = 0; i < clients; i++) {
            load.threads.add(Thread.ofPlatform().name("load-" + i).daemon().start(() -> {
                while (load.running.get()) {
                    try {
                        MeshClient.Answer a = call.call();
                        if (a.status() == 200) load.ok.incrementAndGet();
                        else load.failures.add(java.time.Instant.now() + " " + a);
                    } catch (Exception e) {
                        load.failures.add(java.time.Instant.now() + " " + e);
                    }
                    try {
                        Thread.sleep(PAUSE_MILLIS); // paces the load on purpose (see PAUSE_MILLIS)
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        return load;
    }

    int ok() {
        return ok.get();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    /** Stops the clients and waits for the calls in flight. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) t.join(MeshClient.TIMEOUT_MILLIS * 2L);
    }
}
