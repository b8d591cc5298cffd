package io.strait.proxy.runtime;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code SIGUSR1} reopens the access log, as it makes nginx reopen its logs: logrotate's {@code postrotate}
 * runs {@code kill -USR1 PID} after renaming the file. HotSpot on Linux leaves {@code SIGUSR1} to the
 * application ({@code SIGUSR2} is its own); where the platform refuses it, the admin API's
 * {@code POST /logs/reopen} does the same.
 */
public final class LogReopenSignal {
    private static final Logger log = LoggerFactory.getLogger(LogReopenSignal.class);
    /** The signal's name as the JDK knows it. */
    public static final String SIGNAL = "USR1";

    private LogReopenSignal() {}

    /**
     * Installs the handler for the process; {@code server} is asked at each signal (the server running then).
     *
     * @return whether the signal could be taken
     */
    public static boolean install(Supplier<ProxyServer> server) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(SIGNAL), s -> {
                ProxyServer p = server.get();
                if (p == null) return;
                p.reopenLogsAsync().whenComplete((r, e) -> {
                    if (e != null) log.error("SIGUSR1: the access log could not be reopened: {}", e.getMessage());
                });
            });
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.info("SIGUSR1 is not available here ({}): reopen the access log with POST /logs/reopen", e.getMessage());
            return false;
        } catch (LinkageError e) { // a runtime without sun.misc.Signal (jdk.unsupported left out of an image)
            log.info("signals are not available in this runtime: reopen the access log with POST /logs/reopen");
            return false;
        }
    }
}
