package io.strait.gateway.redis;

import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce on the proxy's own event loops instead of threads of its own: a command written by a request's
 * loop goes out without waking another thread, and its reply completes on that loop, where the request
 * resumes at once. The proxy owns the loops: Lettuce's release and shutdown leave them running.
 */
final class SharedEventLoops implements EventLoopGroupProvider {
    private final EventLoopGroup loops;

    private SharedEventLoops(EventLoopGroup loops) {
        this.loops = loops;
    }

    /**
     * The provider for {@code loops}, or null when Lettuce would open channels of another transport than
     * the loops run (the proxy on NIO while Lettuce finds epoll, or the reverse).
     */
    static SharedEventLoops of(EventLoopGroup loops) {
        if (loops == null || loops.isShuttingDown()) return null;
        boolean epollLoops = loops instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
        return epollLoops == EpollProvider.isAvailable() ? new SharedEventLoops(loops) : null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        return (T) loops; // Lettuce asks for its transport's group class; any group of that transport serves
    }

    @Override
    public int threadPoolSize() {
        int n = 0;
        for (EventExecutor ignored : loops) n++;
        return n;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
}
