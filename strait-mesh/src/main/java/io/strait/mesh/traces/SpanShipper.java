package io.strait.mesh.traces;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.strait.mesh.api.v1.ExportSpansRequest;
import io.strait.mesh.api.v1.TraceServiceGrpc;
import io.strait.proxy.observe.trace.SpanRecord;
import io.strait.proxy.observe.trace.SpanSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends this process's finished spans to the control plane ({@code TraceService}), over the channel the mesh
 * agent keeps (its SVID authenticates the calls). {@link #accept} runs on event loops: it only offers the span
 * to a bounded queue and drops (and counts) when it is full, never waiting. One daemon thread sends a batch
 * every {@link #INTERVAL}, or sooner once {@link #BATCH} spans wait; a batch that fails is dropped and counted
 * (the spans are best effort: a trace missing a hop beats a sidecar that slows down for its control plane).
 */
public final class SpanShipper implements SpanSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpanShipper.class);
    /** Spans waiting to be sent: about 2 MB at most; beyond it spans are dropped. */
    public static final int QUEUE = 4096;
    /** Spans per request. */
    public static final int BATCH = 512;
    /** How long spans wait at most before they are sent. */
    public static final Duration INTERVAL = Duration.ofMillis(500);
    /** One request's deadline. */
    static final Duration DEADLINE = Duration.ofSeconds(5);
    /** Drops are reported at most this often. */
    private static final long REPORT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Supplier<ManagedChannel> channel;
    private final String who;
    private final ArrayBlockingQueue<SpanRecord> queue = new ArrayBlockingQueue<>(QUEUE);
    private final LongAdder dropped = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - REPORT_EVERY_NANOS);
    private final Thread thread;
    /** The drops already told to the control plane (in a batch's {@code dropped_since_last}); the shipper's thread only. */
    private long dropsTold;
    private volatile boolean closed;

    /**
     * @param channel the agent's current channel to the control plane (it is replaced when the SVID is renewed)
     * @param who the sender, for the log ({@code sidecar orders}, {@code gateway})
     */
    public SpanShipper(Supplier<ManagedChannel> channel, String who) {
        this.channel = channel;
        this.who = who;
        this.thread = Thread.ofPlatform().name("strait-span-shipper").daemon().start(this::run);
    }

    @Override
    public void accept(SpanRecord span) {
        if (closed || !queue.offer(span)) {
            dropped.increment();
            return;
        }
        if (queue.size() >= BATCH) LockSupport.unpark(thread);
    }

    /** Spans dropped: the queue was full, or a batch could not be sent. */
    public long dropped() {
        return dropped.sum();
    }

    /** Spans the control plane took. */
    public long sent() {
        return sent.sum();
    }

    private void run() {
        List<SpanRecord> batch = new ArrayList<>(BATCH);
        while (!closed || !queue.isEmpty()) {
            if (queue.size() < BATCH && !closed) LockSupport.parkNanos(this, INTERVAL.toNanos());
            batch.clear();
            queue.drainTo(batch, BATCH);
            if (!batch.isEmpty()) send(batch);
            if (closed && Thread.currentThread().isInterrupted()) return;
        }
    }

    private void send(List<SpanRecord> batch) {
        long droppedNow = dropped.sum();
        ExportSpansRequest.Builder r = ExportSpansRequest.newBuilder().setDroppedSinceLast(Math.max(0, droppedNow - dropsTold));
        for (SpanRecord s : batch) r.addSpans(SpanMessages.toMessage(s));
        try {
            TraceServiceGrpc.newBlockingStub(channel.get()).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .exportSpans(r.build());
            sent.add(batch.size());
            dropsTold = droppedNow;
        } catch (StatusRuntimeException | IllegalStateException e) { // unavailable, deadline, a channel shut down by a renewal
            dropped.add(batch.size());
            long now = System.nanoTime();
            long last = lastReport.get();
            if (now - last >= REPORT_EVERY_NANOS && lastReport.compareAndSet(last, now)) {
                log.warn("{}: spans not sent to the control plane ({} dropped so far): {}", who, dropped.sum(), e.getMessage());
            }
        }
    }

    /** Sends what waits (for at most a request's deadline), then stops. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(DEADLINE.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
    }
}
