package io.strait.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
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
}
