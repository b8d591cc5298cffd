package io.strait.proxy.testing;

import java.io.IOException;

/**
 * Debian's {@code redis-server} ({@link RedisServer}) on an ephemeral loopback port, once per test class:
 * {@code @RegisterExtension static final RedisExtension REDIS = new RedisExtension();}. Before each test it
 * is running (a test that stopped or paused it and failed does not break the next one) and empty
 * ({@code FLUSHALL}, Lua script cache included), unless built with {@link #keepData()}.
 */
public final class RedisExtension extends ServerLifecycle {
    private RedisServer redis;
    private boolean flush = true;

    /** Keeps keys between tests (tests that use a key prefix of their own need no flush). */
    public RedisExtension keepData() {
        this.flush = false;
        return this;
    }

    /** A fresh redis-server for every test, even on a static field. */
    public RedisExtension perTest() {
        return markPerTest();
    }

    @Override
    protected void startServer() throws IOException {
        redis = RedisServer.start();
    }

    @Override
    protected void stopServer() {
        if (redis != null) redis.close();
        redis = null;
    }

    @Override
    protected void beforeTest() throws IOException {
        if (!redis.running()) redis.restart();
        else if (redis.paused()) redis.resume();
        if (flush) {
            String ok = redis.command("FLUSHALL");
            if (!"+OK".equals(ok)) throw new IllegalStateException("FLUSHALL answered " + ok);
            redis.command("SCRIPT", "FLUSH");
        }
    }

    /** The running server (for {@code stop()}, {@code restart()}, {@code pause()}, {@code command(...)}). */
    public RedisServer server() {
        checkStarted();
        return redis;
    }

    /** Stops the server, keeping its port and data (an outage); the next test gets it running again. */
    public void stop() {
        server().stop();
    }

    /** Starts it again on the same port after {@link #stop()}. */
    public void restart() throws IOException {
        server().restart();
    }

    /** Freezes it (SIGSTOP): a hung Redis. The next test gets it running again. */
    public void pause() throws IOException {
        server().pause();
    }

    /** Lets a paused server run again. */
    public void resume() throws IOException {
        server().resume();
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return server().uri();
    }

    public int port() {
        return server().port();
    }

    /** Sends one command and returns the reply as {@link RedisServer#command} renders it. */
    public String command(String... args) throws IOException {
        return server().command(args);
    }
}
