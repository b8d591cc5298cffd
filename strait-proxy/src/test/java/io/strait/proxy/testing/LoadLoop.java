package io.strait.proxy.testing;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Steady load for tests: threads that each send one request after another until stopped, counting
 * 200s and recording everything else (status and body, or the exception).
 */
public final class LoadLoop implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    private LoadLoop() {}

    public static LoadLoop start(int threads, Supplier<HttpResponse<String>> call) {
        LoadLoop loop = new LoadLoop();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                while (loop.running.get()) {
                    try {
                        HttpResponse<String> r = call.get();
                        if (r.statusCode() == 200) loop.ok.incrementAndGet();
                        else loop.failures.add(r.statusCode() + " " + r.body());
                    } catch (RuntimeException e) {
                        loop.failures.add(e.toString());
                    }
                }
            }, "load-" + t);
            th.start();
            loop.threads.add(th);
        }
        return loop;
    }

    /** Requests answered 200 so far. */
    public int ok() {
        return ok.get();
    }

    /** Every other outcome so far. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Stops the threads and waits for their last requests. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread th : threads) th.join();
    }
}
