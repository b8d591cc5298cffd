package io.strait.proxy.observe;

import io.netty.util.internal.PlatformDependent;
import io.strait.config.model.ObservabilityConfig;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per exchange, written off the event loops.
 *
 * <p>{@link #log} only offers the record to a bounded multi-producer queue: it never formats, never
 * blocks and never does I/O. When the queue is full the record is dropped and counted. A single
 * daemon thread drains the queue, formats each record with exactly the configured fields and writes
 * it through a buffer that is flushed whenever the queue runs empty. Only the fields of {@link
 * ExchangeRecord} are ever logged: no headers, no bodies, no credentials.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);

    /**
     * Records that may wait for the writer: absorbs a burst of ~0.5 s at 16k requests/s while
     * bounding memory to a few MB (a record holds a dozen short strings).
     */
    static final int DEFAULT_QUEUE_CAPACITY = 8192;

    /** How long {@link #close()} waits for the queue to drain: long enough for 8k lines to a disk. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * The writer's longest sleep when idle. Producers wake it when it sleeps; this bound only covers
     * the rare race where a wake-up is missed, so a line is never held back for more than this.
     */
    private static final long MAX_IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * Between batches the writer naps this long on its own instead of being woken: waking a thread is
     * a system call and a context switch, which an event loop would otherwise pay for every line under
     * load (on a one-CPU proxy that was most of the log's cost). A line waits at most this long.
     */
    private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(4);

    /** Naps in a row with nothing to write before the writer sleeps until woken: 20 ms of quiet. */
    private static final int NAPS_BEFORE_SLEEP = 5;

    /** Write buffer: one write carries a few hundred lines under load, few syscalls per line. */
    private static final int WRITE_BUFFER_BYTES = 64 * 1024;

    /** Write failures are reported once per this many, so a full disk does not flood the log. */
    private static final long WRITE_ERROR_REPORT_EVERY = 10_000;

    private static final AccessLog DISABLED = new AccessLog();

    private final Queue<ExchangeRecord> queue;
    private final Runnable onDrop;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder writeErrors = new LongAdder();
    private final Thread writer;
    private final String target;
    /** The file lines go to, reopened on request; null for stdout and stderr. */
    private final Path file;
    /** A reopen asked for and not yet done by the writer, or null. */
    private final AtomicReference<CompletableFuture<Boolean>> reopen = new AtomicReference<>();
    private volatile boolean sleeping;
    private volatile boolean closed;

    /** The disabled log: {@link #log} does nothing. */
    private AccessLog() {
        this.queue = null;
        this.onDrop = () -> {};
        this.writer = null;
        this.target = "disabled";
        this.file = null;
    }

    /**
     * @param fields field names from {@code ConfigLoader.ACCESS_LOG_FIELDS}, in output order
     * @param out where lines go; closed by {@link #close} (wrap stdout so it is not)
     * @param capacity queue size, rounded up to a power of two
     * @param onDrop run on the caller's thread for every dropped record: must be cheap
     */
    AccessLog(List<String> fields, OutputStream out, String target, int capacity, Runnable onDrop) {
        this(new AccessLogFormat(fields), out, null, target, capacity, onDrop);
    }

    /** {@code file}: where {@code out} writes, opened again by {@link #reopen()}; null when it cannot be (stdout). */
    AccessLog(AccessLogFormat format, OutputStream out, Path file, String target, int capacity, Runnable onDrop) {
        this.file = file;
        this.queue = PlatformDependent.newFixedMpscQueue(capacity);
        this.onDrop = Objects.requireNonNull(onDrop, "onDrop");
        this.target = target;
        this.writer = new Thread(() -> drainLoop(format, out), "strait-access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * Builds the log the configuration asks for. Opens a file target now (append mode), so a bad
     * path fails at config load, not per request.
     *
     * @param onDrop run for every dropped record, on the event loop: e.g. a metrics counter
     * @throws UncheckedIOException when the file cannot be opened for appending
     */
    public static AccessLog create(ObservabilityConfig.AccessLog config, Runnable onDrop) {
        if (config == null || !config.enabled()) return DISABLED;
        String path = config.path() == null ? "stdout" : config.path();
        Path file = switch (path) {
            case "stdout", "stderr" -> null;
            default -> Path.of(path);
        };
        OutputStream out = switch (path) {
            case "stdout" -> unclosable(System.out);
            case "stderr" -> unclosable(System.err);
            default -> openAppend(file);
        };
        return new AccessLog(new AccessLogFormat(config.fields(), config.format() == ObservabilityConfig.AccessLog.Format.TEXT), out, file,
                path, DEFAULT_QUEUE_CAPACITY, onDrop);
    }

    /** A log that discards everything, for when access logging is off. */
    public static AccessLog disabled() {
        return DISABLED;
    }

    /**
     * Queues one record for writing. Event-loop safe: never blocks, never throws; drops and counts
     * the record when the queue is full or the log is closed.
     */
    public void log(ExchangeRecord record) {
        if (queue == null || record == null) return;
        if (closed || !queue.offer(record)) {
            dropped.increment();
            onDrop.run();
            return;
        }
        if (sleeping) LockSupport.unpark(writer);
    }

    /**
     * Opens the log file again by its name, as nginx does on {@code SIGUSR1}: after logrotate renamed it,
     * lines go to a new file of the old name. The writer thread does it between two lines: every line goes
     * whole to the old file or the new one, none is lost. Completes with true once reopened, false when
     * there is no file (stdout, stderr, disabled), exceptionally when the file cannot be opened (then the
     * old one stays in use).
     */
    public CompletableFuture<Boolean> reopen() {
        if (file == null || closed) return CompletableFuture.completedFuture(false);
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> pending = reopen.compareAndExchange(null, mine);
        if (pending != null) return pending; // one already asked for: it will cover this one too
        LockSupport.unpark(writer);
        return mine;
    }

    /** Where lines go: {@code stdout}, {@code stderr}, a file's path, or {@code disabled}. */
    public String target() {
        return target;
    }

    /** Records dropped because the queue was full (or the log already closed). */
    public long droppedCount() {
        return dropped.sum();
    }

    /** Lines lost to write errors (disk full, closed pipe). */
    public long writeErrorCount() {
        return writeErrors.sum();
    }

    /** Whether this log writes anything. */
    public boolean enabled() {
        return queue != null;
    }

    /** Drains, flushes and closes with {@link #DEFAULT_CLOSE_TIMEOUT}. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Stops accepting records, writes what is queued, flushes and closes the target, waiting at
     * most {@code timeout}. Blocking: call it from a shutdown or reload thread, not an event loop.
     *
     * @return true when everything queued was written before the deadline
     */
    public boolean close(Duration timeout) {
        if (writer == null) return true;
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !writer.isAlive();
    }

    private void drainLoop(AccessLogFormat format, OutputStream initial) {
        OutputStream out = initial;
        StringBuilder line = new StringBuilder(512);
        LineBuffer buf = new LineBuffer(WRITE_BUFFER_BYTES);
        int naps = 0;
        try {
            while (true) {
                if (reopen.get() != null) out = reopened(buf, out);
                ExchangeRecord r = queue.poll();
                if (r != null) {
                    naps = 0;
                    write(format, r, line, buf, out);
                    continue;
                }
                flush(buf, out);
                if (closed) {
                    if (queue.isEmpty()) break;
                    continue;
                }
                if (naps < NAPS_BEFORE_SLEEP) { // busy: the next batch is a nap away, nobody wakes us
                    naps++;
                    LockSupport.parkNanos(this, NAP_NANOS);
                    continue;
                }
                sleeping = true;
                if (queue.isEmpty() && !closed && reopen.get() == null) LockSupport.parkNanos(this, MAX_IDLE_PARK_NANOS);
                sleeping = false;
            }
        } finally {
            try {
                out.close();
            } catch (IOException e) {
                writeFailed(e);
            }
            CompletableFuture<Boolean> late = reopen.getAndSet(null);
            if (late != null) late.complete(false);
        }
    }

    /** On the writer thread: what is buffered goes to the old file, then lines go to a new one of the same name. */
    private OutputStream reopened(LineBuffer buf, OutputStream out) {
        CompletableFuture<Boolean> request = reopen.getAndSet(null);
        flush(buf, out);
        OutputStream next;
        try {
            next = openAppend(file);
        } catch (UncheckedIOException e) {
            LOG.error("access log {}: cannot reopen, lines keep going to the file opened before: {}", target, e.getMessage());
            request.completeExceptionally(e);
            return out;
        }
        try {
            out.close();
        } catch (IOException e) {
            writeFailed(e);
        }
        LOG.info("access log {}: reopened", target);
        request.complete(true);
        return next;
    }

    private void write(AccessLogFormat format, ExchangeRecord r, StringBuilder line, LineBuffer buf, OutputStream out) {
        line.setLength(0);
        try {
            format.format(r, line);
            line.append('\n');
            if (!buf.append(line)) {
                buf.writeTo(out);
                buf.append(line); // an empty buffer takes any line (it grows)
            }
        } catch (IOException | RuntimeException e) {
            buf.clear();
            writeFailed(e);
        }
    }

    private void flush(LineBuffer buf, OutputStream out) {
        try {
            if (buf.isEmpty()) return;
            buf.writeTo(out);
            out.flush();
        } catch (IOException e) {
            buf.clear();
            writeFailed(e);
        }
    }

    /**
     * Lines as UTF-8 bytes, written in large blocks: ASCII (nearly every line) is copied a char a byte,
     * with no encoder in between.
     */
    private static final class LineBuffer {
        private byte[] bytes;
        private int length;

        LineBuffer(int capacity) {
            bytes = new byte[capacity];
        }

        /** Adds the line; false when it does not fit (write the buffer out first). */
        boolean append(CharSequence line) {
            int n = line.length();
            if (length + n > bytes.length) {
                if (length > 0) return false;
                bytes = new byte[Math.max(bytes.length, n * 3)];
            }
            int at = length;
            for (int i = 0; i < n; i++) {
                char c = line.charAt(i);
                if (c >= 0x80) return appendUtf8(line);
                bytes[at++] = (byte) c;
            }
            length = at;
            return true;
        }

        private boolean appendUtf8(CharSequence line) {
            byte[] utf8 = line.toString().getBytes(StandardCharsets.UTF_8);
            if (length + utf8.length > bytes.length) {
                if (length > 0) return false;
                bytes = new byte[utf8.length];
            }
            System.arraycopy(utf8, 0, bytes, length, utf8.length);
            length += utf8.length;
            return true;
        }

        boolean isEmpty() {
            return length == 0;
        }

        void writeTo(OutputStream out) throws IOException {
            int n = length;
            length = 0;
            out.write(bytes, 0, n);
        }

        void clear() {
            length = 0;
        }
    }

    private void writeFailed(Exception e) {
        writeErrors.increment();
        if ((writeErrors.sum() - 1) % WRITE_ERROR_REPORT_EVERY == 0) {
            LOG.warn("access log {}: write failed ({} so far): {}", target, writeErrors.sum(), e.toString());
        }
    }

    private static OutputStream openAppend(Path file) {
        try {
            return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("access log " + file + ": cannot open for appending: " + e.getMessage(), e);
        }
    }

    /** stdout/stderr: flushed on close, never closed. */
    private static OutputStream unclosable(PrintStream stream) {
        return new FilterOutputStream(stream) {
            @Override
            public void write(byte[] b, int off, int len) {
                stream.write(b, off, len);
            }

            @Override
            public void close() {
                stream.flush();
            }
        };
    }
}
