package io.strait.proxy.observe.trace;

import java.util.Arrays;

/**
 * The span sinks a process keeps across configuration reloads: its recent traces, and what code adds (a
 * mesh agent's stream to the control plane). Reading them costs one volatile read; adding and removing
 * replace the array.
 */
public final class SpanSinks implements SpanSink {
    private volatile SpanSink[] sinks = new SpanSink[0];

    /** Whether any sink is there: without one (and without OTLP export), nothing is recorded. */
    public boolean active() {
        return sinks.length > 0;
    }

    public synchronized void add(SpanSink sink) {
        SpanSink[] now = sinks;
        SpanSink[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = sink;
        sinks = next;
    }

    public synchronized void remove(SpanSink sink) {
        sinks = Arrays.stream(sinks).filter(s -> s != sink).toArray(SpanSink[]::new);
    }

    @Override
    public void accept(SpanRecord span) {
        for (SpanSink s : sinks) s.accept(span);
    }
}
