package io.strait.proxy.core;

import io.strait.config.model.StraitConfig;
import java.util.List;

/**
 * The outcome of applying a configuration from any source (file, admin API, code).
 *
 * @param applied whether the configuration now serves; when not, the previous one still does
 * @param generation the generation serving after the call (unchanged when refused)
 * @param running the configuration serving after the call
 * @param errors why it was refused, each {@code path: message}; empty when applied
 * @param warnings findings of a configuration that applied ({@code io.strait.config.load.ConfigWarnings}: a route
 *     that never matches, credentials over plain HTTP, ...), each {@code path: message}; empty when refused
 */
public record ApplyResult(boolean applied, long generation, StraitConfig running, List<String> errors,
        List<String> warnings) {}
