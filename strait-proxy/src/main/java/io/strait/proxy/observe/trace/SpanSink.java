package io.strait.proxy.observe.trace;

/**
 * Where finished spans go: the recent traces, a mesh's span stream. Called on event loops: must neither
 * block nor throw, and should drop (and count) rather than queue without bound.
 */
@FunctionalInterface
public interface SpanSink {
    void accept(SpanRecord span);
}
