package io.strait.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The operational log as configured in code: the format, the target, the levels, and an operator's own file winning. */
class LogConfiguratorTest {
    @AfterEach
    void clear() {
        System.clearProperty(LogConfigurator.LEVEL_VARIABLE);
        System.clearProperty("logback.configurationFile");
    }

    private static LoggerContext configured(Configurator.ExecutionStatus expected) {
        LoggerContext context = new LoggerContext();
        LogConfigurator c = new LogConfigurator();
        c.setContext(context);
        assertThat(c.configure(context)).isEqualTo(expected);
        return context;
    }

    @Test
    void linesGoToStderrInTheDocumentedFormatAtInfoWithNettyQuieter() {
        LoggerContext context = configured(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        assertThat(root.getAppender("ERR")).isInstanceOfSatisfying(ConsoleAppender.class, a -> {
            assertThat(a.getTarget()).isEqualTo("System.err");
            assertThat(a.isStarted()).isTrue();
        });
        assertThat(context.getLogger("io.netty.channel").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.opentelemetry.sdk").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.strait.mesh").getEffectiveLevel()).isEqualTo(Level.INFO);
    }

    @Test
    void straitLogLevelSetsTheRootAndAnUnknownValueIsInfo() {
        System.setProperty(LogConfigurator.LEVEL_VARIABLE, "debug");
        assertThat(configured(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY).getLogger(Logger.ROOT_LOGGER_NAME).getLevel())
                .isEqualTo(Level.DEBUG);
        System.setProperty(LogConfigurator.LEVEL_VARIABLE, "loud");
        assertThat(LogConfigurator.level()).isEqualTo(Level.INFO);
    }

    @Test
    void anOperatorsOwnFileWins() {
        System.setProperty("logback.configurationFile", "/etc/strait/logback.xml");
        LoggerContext context = configured(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ERR")).isNull();
    }

    @Test
    void theCliProcessUsesIt() {
        // the service file makes logback pick it: this test JVM's logging was set up by it
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ERR")).isInstanceOf(ConsoleAppender.class);
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void linesAreDatedInIso8601WithLevelLoggerAndMessage() {
        LoggerContext context = configured(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        ConsoleAppender<ILoggingEvent> err = (ConsoleAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ERR");
        Logger logger = context.getLogger("io.strait.proxy.runtime.ProxyServer");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN, "strait ready on {}", null,
                new Object[] {"127.0.0.1:8080"});
        event.setTimeStamp(java.time.Instant.parse("2026-12-06T01:02:03.456Z").toEpochMilli());
        String line = new String(err.getEncoder().encode(event), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(line).isEqualTo("2026-12-06T01:02:03.456Z WARN  io.strait.proxy.runtime.ProxyServer - strait ready on 127.0.0.1:8080"
                + System.lineSeparator());
    }

    @Test
    void theJdksLoggingAndOpenTelemetrysGoThroughSlf4j() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.setContext(context);
        seen.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(seen);
        try {
            // OpenTelemetry's SDK and exporters log through java.util.logging
            java.util.logging.Logger.getLogger("io.opentelemetry.exporter.internal.http.HttpExporter")
                    .log(java.util.logging.Level.SEVERE, "Failed to export spans. The request could not be executed.");
            java.util.logging.Logger.getLogger("jdk.internal.httpclient.debug").fine("below the level: dropped");
            assertThat(seen.list).anySatisfy(e -> {
                assertThat(e.getLoggerName()).isEqualTo("io.opentelemetry.exporter.internal.http.HttpExporter");
                assertThat(e.getLevel()).isEqualTo(Level.ERROR);
                assertThat(e.getFormattedMessage()).startsWith("Failed to export spans");
            });
            assertThat(seen.list).noneMatch(e -> e.getFormattedMessage().contains("below the level"));
            assertThat(java.util.logging.Logger.getLogger("").getHandlers())
                    .as("the JDK's console handler is gone: one format").hasSize(1)
                    .allMatch(h -> h instanceof org.slf4j.bridge.SLF4JBridgeHandler);
        } finally {
            root.detachAppender(seen);
        }
    }
}
