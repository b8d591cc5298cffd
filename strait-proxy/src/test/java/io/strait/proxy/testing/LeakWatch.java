package io.strait.proxy.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects Netty's leak reports (the leak detector logs them, at paranoid in the suite): {@link #leaks()}
 * collects garbage and allocates, which makes the detector report buffers collected unreleased.
 */
public final class LeakWatch implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LeakWatch() {
        appender.start();
        logger.addAppender(appender);
    }

    /** The leak reports so far, after a few collections (each followed by allocations that trigger the reports). */
    public List<String> leaks() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            for (int j = 0; j < 200; j++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                a.release();
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
                b.release();
            }
        }
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("LEAK")).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
