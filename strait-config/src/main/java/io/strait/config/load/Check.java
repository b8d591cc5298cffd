package io.strait.config.load;

import java.time.Duration;

/**
 * The rules the model validator applies to single values, worded as the readers word them for the same
 * value in a document ({@code must be between 1 and 100 (was 0)}, {@code must be greater than 0}), so a model
 * gives the same error whether it was read or built by code.
 */
final class Check {
    private final Errors errors;

    Check(Errors errors) {
        this.errors = errors;
    }

    void error(String path, String message) {
        errors.add(path, message);
    }

    /** Whether {@code value} is set; otherwise {@code path: is required}. */
    boolean required(String path, Object value) {
        if (value != null) return true;
        errors.add(path, "is required");
        return false;
    }

    /** An integer in {@code [min, max]}, worded as {@link Node#integer}. */
    boolean range(String path, long value, long min, long max) {
        if (value >= min && value <= max) return true;
        errors.add(path, "must be between " + min + " and " + max + " (was " + value + ")");
        return false;
    }

    /** A number in {@code [min, max]}, worded as {@link Node#decimal}. */
    boolean range(String path, double value, double min, double max) {
        if (value >= min && value <= max) return true; // NaN fails both
        errors.add(path, "must be between " + min + " and " + max + " (was " + value + ")");
        return false;
    }

    /** A size of at least {@code min}, worded as {@link Node#size}. */
    boolean atLeast(String path, long value, long min) {
        if (value >= min) return true;
        errors.add(path, "must be at least " + min + " (was " + value + ")");
        return false;
    }

    /** A required duration above 0, worded as {@link ConfigReader#positive}. */
    boolean positive(String path, Duration d) {
        if (!required(path, d)) return false;
        if (!d.isZero() && !d.isNegative()) return true;
        errors.add(path, "must be greater than 0");
        return false;
    }

    /** A required duration of 0 (none) or more: a document cannot write a negative one. */
    boolean notNegative(String path, Duration d) {
        if (!required(path, d)) return false;
        if (!d.isNegative()) return true;
        errors.add(path, "must not be negative (was " + RetryReader.format(d) + ")");
        return false;
    }

    /** A name a document could write as a listener, cluster or route name. */
    void name(String path, String name) {
        if (name != null && !ConfigReader.NAME.matcher(name).matches()) {
            errors.add(path, ConfigReader.NAME_RULE + " (was '" + name + "')");
        }
    }
}
