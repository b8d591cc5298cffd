package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.*;
import static io.strait.config.load.ConfigReader.positive;

import io.strait.config.model.RetryPolicy;
import io.strait.config.model.RetryPolicy.RetryOn;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads a route's {@code retries}: {@link RetryPolicy#DEFAULT} without the block, {@link RetryPolicy#NONE} for attempts 0. */
final class RetryReader {
    /** How each {@link RetryOn} is written under {@code retryOn}. */
    private static final Map<String, RetryOn> RETRY_ON = Map.of(
            "5xx", RetryOn.FIVE_XX,
            "gateway-error", RetryOn.GATEWAY_ERROR,
            "connect-failure", RetryOn.CONNECT_FAILURE,
            "reset", RetryOn.RESET);
    private static final String RETRY_ON_RULE =
            "expected 5xx, gateway-error, connect-failure, reset or a status code 100-599";
    /** Without {@code retryOn}: only refused connections, which never reached the upstream (as {@link RetryPolicy#DEFAULT}). */
    private static final Set<RetryOn> DEFAULT_RETRY_ON = RetryPolicy.DEFAULT.retryOn();
    private static final List<String> SETTINGS = List.of("retryOn", "perTryTimeout", "backoff", "nonIdempotent", "budget");

    private RetryReader() {}

    /** {@code route}: the route object; {@code timeout}: the route's timeout (0 for none), which bounds perTryTimeout. */
    static RetryPolicy read(Node route, Duration timeout) {
        Node n = route.object("retries");
        if (n == null) return RetryPolicy.DEFAULT;
        int attempts = n.integer("attempts", DEFAULT_RETRY_ATTEMPTS, 0, MAX_RETRY_ATTEMPTS);
        if (attempts == 0) {
            for (String f : SETTINGS) {
                if (n.present(f)) n.error(f, "has no effect with attempts: 0 (retries are off); leave it out");
            }
            n.finish();
            return RetryPolicy.NONE;
        }
        Set<RetryOn> on = EnumSet.noneOf(RetryOn.class);
        Set<Integer> statuses = new LinkedHashSet<>();
        retryOn(n, on, statuses);
        Duration perTry = perTryTimeout(n, timeout);
        Backoff backoff = backoff(n.object("backoff"));
        boolean nonIdempotent = n.bool("nonIdempotent", false);
        Budget budget = budget(n.object("budget"));
        n.finish();
        return new RetryPolicy(attempts, on, statuses, perTry, backoff.base(), backoff.max(), nonIdempotent,
                budget.percent(), budget.minRetries());
    }

    private record Backoff(Duration base, Duration max) {}

    private record Budget(int percent, int minRetries) {}

    private static void retryOn(Node n, Set<RetryOn> on, Set<Integer> statuses) {
        if (!n.present("retryOn")) {
            on.addAll(DEFAULT_RETRY_ON);
            return;
        }
        int before = n.errors().size();
        List<String> given = n.strings("retryOn");
        Set<String> seen = new LinkedHashSet<>();
        for (String s : given) {
            String key = s.strip().toLowerCase(Locale.ROOT);
            if (!seen.add(key)) {
                n.error("retryOn", "'" + s + "' is listed twice");
                continue;
            }
            RetryOn kind = RETRY_ON.get(key);
            if (kind != null) {
                on.add(kind);
            } else if (!key.isEmpty() && key.length() <= 3 && key.chars().allMatch(Character::isDigit)) {
                int status = Integer.parseInt(key);
                if (status < 100 || status > 599) n.error("retryOn", "status " + status + " must be between 100 and 599");
                else statuses.add(status);
            } else {
                n.error("retryOn", "unknown value '" + s + "'; " + RETRY_ON_RULE);
            }
        }
        if (given.isEmpty() && n.errors().size() == before) {
            n.error("retryOn", "must list at least one of 5xx, gateway-error, connect-failure, reset or a status code"
                    + " (leave it out for connect-failure)");
        }
    }

    private static Duration perTryTimeout(Node n, Duration timeout) {
        if (!n.present("perTryTimeout")) return null;
        int before = n.errors().size();
        Duration d = positive(n, "perTryTimeout", null);
        if (d != null && n.errors().size() == before && timeout.compareTo(Duration.ZERO) > 0 && d.compareTo(timeout) > 0) {
            n.error("perTryTimeout", "must be at most the route's timeout (" + format(timeout) + ")");
            return null;
        }
        return d;
    }

    private static Backoff backoff(Node b) {
        if (b == null) return new Backoff(DEFAULT_RETRY_BACKOFF_BASE, DEFAULT_RETRY_BACKOFF_MAX);
        int before = b.errors().size();
        Duration base = positive(b, "base", DEFAULT_RETRY_BACKOFF_BASE);
        boolean maxGiven = b.has("max");
        Duration max = positive(b, "max", DEFAULT_RETRY_BACKOFF_MAX);
        if (b.errors().size() == before && max.compareTo(base) < 0) {
            if (maxGiven) {
                b.error("max", "must be at least base (" + format(base) + ")");
            } else {
                b.error("base", "must be at most max (" + format(max) + " by default); set max as well");
            }
        }
        b.finish();
        return new Backoff(base, max);
    }

    private static Budget budget(Node b) {
        if (b == null) return new Budget(DEFAULT_RETRY_BUDGET_PERCENT, DEFAULT_RETRY_BUDGET_MIN_RETRIES);
        int percent = b.integer("percent", DEFAULT_RETRY_BUDGET_PERCENT, 1, 100);
        int min = b.integer("minRetries", DEFAULT_RETRY_BUDGET_MIN_RETRIES, 0, Integer.MAX_VALUE);
        b.finish();
        return new Budget(percent, min);
    }

    /** A duration as the file would write it: {@code 2s}, {@code 250ms}. */
    static String format(Duration d) {
        if (d.getNano() == 0) return d.getSeconds() + "s";
        if (d.getNano() % 1_000_000 == 0 && d.getSeconds() < Integer.MAX_VALUE) return d.toMillis() + "ms";
        return d.toString(); // sub-millisecond or absurdly long: ISO-8601 says it without overflow
    }
}
