package io.strait.proxy.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The lifecycle the test extensions share, as Armeria's {@code ServerExtension} has it: registered on a
 * {@code static} field ({@code @RegisterExtension static final ...}) the thing starts once before the
 * class's first test and stops after its last; registered on an instance field it starts before each
 * test and stops after it. {@link #perTest()} asks for a fresh one per test from a static field too.
 */
public abstract class ServerLifecycle implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private boolean perTest;
    private boolean started;
    private boolean startedForClass;
    /** Nested and parameterized class containers call beforeAll/afterAll again: stop after the outermost. */
    private int classDepth;

    /** Starts the thing (called once per class or once per test). */
    protected abstract void startServer() throws Exception;

    /** Stops what {@link #startServer()} started; must not throw. */
    protected abstract void stopServer();

    /** Called before each test while the thing runs (a Redis flushes here, for instance). */
    protected void beforeTest() throws Exception {
    }

    /** A fresh instance for every test, even when registered on a static field. */
    @SuppressWarnings("unchecked")
    protected <T extends ServerLifecycle> T markPerTest() {
        this.perTest = true;
        return (T) this;
    }

    /** Whether it is running now. */
    public final boolean started() {
        return started;
    }

    @Override
    public final void beforeAll(ExtensionContext context) throws Exception {
        if (perTest) return;
        classDepth++;
        if (started) return;
        startNow();
        startedForClass = true;
    }

    @Override
    public final void beforeEach(ExtensionContext context) throws Exception {
        if (!started) startNow();
        beforeTest();
    }

    @Override
    public final void afterEach(ExtensionContext context) {
        if (!startedForClass) stopNow();
    }

    @Override
    public final void afterAll(ExtensionContext context) {
        if (perTest) return;
        if (--classDepth == 0 && startedForClass) {
            startedForClass = false;
            stopNow();
        }
    }

    private void startNow() throws Exception {
        try {
            startServer();
            started = true;
        } catch (Exception | Error e) {
            stopServer();
            throw e;
        }
    }

    private void stopNow() {
        if (!started) return;
        started = false;
        stopServer();
    }

    /** Fails with a clear message when a helper is used outside a test's lifetime. */
    protected final void checkStarted() {
        if (!started) {
            throw new IllegalStateException(getClass().getSimpleName()
                    + " is not running: register it with @RegisterExtension (static: per class; instance field: per test)");
        }
    }
}
