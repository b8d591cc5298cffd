package io.strait.proxy.testing;

/**
 * A {@link TestBackend} on a loopback port 0 as a JUnit extension:
 * {@code @RegisterExtension static final BackendExtension USERS = new BackendExtension("users");} (one for the
 * class) or on an instance field (one per test), then {@code USERS.backend()} or {@code USERS.address()}.
 */
public final class BackendExtension extends ServerLifecycle {
    private final String name;
    private final boolean h2c;
    private TestBackend backend;

    public BackendExtension(String name) {
        this(name, false);
    }

    private BackendExtension(String name, boolean h2c) {
        this.name = name;
        this.h2c = h2c;
    }

    /** A backend that speaks HTTP/2 with prior knowledge (h2c) only. */
    public static BackendExtension h2c(String name) {
        return new BackendExtension(name, true);
    }

    /** A fresh backend for every test, even on a static field. */
    public BackendExtension perTest() {
        return markPerTest();
    }

    @Override
    protected void startServer() throws Exception {
        backend = h2c ? TestBackend.h2c(name) : new TestBackend(name);
    }

    @Override
    protected void stopServer() {
        if (backend != null) backend.close();
        backend = null;
    }

    public String name() {
        return name;
    }

    public TestBackend backend() {
        checkStarted();
        return backend;
    }

    /** {@code 127.0.0.1:PORT}. */
    public String address() {
        return backend().address();
    }

    public int port() {
        return backend().port();
    }
}
