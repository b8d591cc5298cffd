package io.strait.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Strait's operational logging, set up in code rather than from a {@code logback.xml}: lines on stderr
 * ({@value #PATTERN}: an ISO-8601 time in UTC, as the access log's, the level, the logger and the message; the
 * access log owns stdout), {@code STRAIT_LOG_LEVEL} (a system property or an environment variable; default INFO)
 * for the root, Netty and OpenTelemetry at WARN. What logs through the JDK's {@code java.util.logging} (its
 * HttpClient, OpenTelemetry's exporter) is routed here too ({@code jul-to-slf4j}), with logback's level
 * propagator so that a disabled JUL level costs nothing.
 *
 * <p>Why code: reading an XML configuration loads logback's Joran and the JDK's XML parser, about 600 classes, which
 * every process pays for in start time and metaspace, and a sidecar (started by the hundred, with start-to-ready and
 * memory targets) pays for the most. An operator's own file still wins: with {@code -Dlogback.configurationFile}
 * set this configurator steps aside and logback reads that file.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level %logger{36} - %msg%n";
    static final String LEVEL_VARIABLE = "STRAIT_LOG_LEVEL";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> err = new ConsoleAppender<>();
        err.setContext(context);
        err.setName("ERR");
        err.setTarget("System.err");
        err.setEncoder(encoder);
        err.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level());
        root.addAppender(err);
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("io.opentelemetry").setLevel(Level.WARN);
        routeJul(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * java.util.logging into SLF4J: the JDK's console handler goes (it would print its own two-line format), the
     * bridge takes its place, and logback's levels are copied to JUL's loggers so JUL drops what logback would.
     */
    static void routeJul(LoggerContext context) {
        LevelChangePropagator propagator = new LevelChangePropagator();
        propagator.setContext(context);
        propagator.setResetJUL(true);
        propagator.start();
        context.addListener(propagator);
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }

    /** {@code STRAIT_LOG_LEVEL} as a system property, else as an environment variable, else INFO (also for a value that is no level). */
    static Level level() {
        String v = System.getProperty(LEVEL_VARIABLE);
        if (v == null) v = System.getenv(LEVEL_VARIABLE);
        return Level.toLevel(v == null ? null : v.trim(), Level.INFO);
    }
}
