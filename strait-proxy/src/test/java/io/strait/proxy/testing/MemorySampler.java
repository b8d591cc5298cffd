package io.strait.proxy.testing;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;

/**
 * Watches memory while a test moves a lot of data through the proxy (which runs in the test JVM):
 * a daemon thread samples Netty's direct memory every few milliseconds and keeps the peak; the
 * heap is compared before and after with garbage collected.
 */
public final class MemorySampler implements AutoCloseable {
    private static final long SAMPLE_MILLIS = 2;

    private final long directBaseline = usedDirect();
    private final Thread thread;
    private volatile long directPeak = directBaseline;
    private volatile boolean running = true;

    private MemorySampler() {
        thread = new Thread(() -> {
            while (running) {
                long used = usedDirect();
                if (used > directPeak) directPeak = used;
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    public static MemorySampler start() {
        return new MemorySampler();
    }

    /** Direct memory Netty has allocated (pooled chunks included), in bytes. */
    public static long usedDirect() {
        return PlatformDependent.usedDirectMemory();
    }

    /** How far direct memory rose above where it was when sampling started. */
    public long directPeakGrowth() {
        return Math.max(0, directPeak - directBaseline);
    }

    /** Heap in use after asking for a few full collections (good enough to see a retained gigabyte). */
    public static long heapUsedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    public static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
