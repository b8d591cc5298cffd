package io.strait.config.model;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * What the {@code ${ENV_VAR}} and {@code ${file:/path}} references of a configuration resolved to: for each string
 * value that held one, its form as written, so that the admin API shows {@code ${DB_PASSWORD}} and never the secret;
 * and the files the references read, so that a change of one reloads the configuration as a change of the file does.
 *
 * @param writtenByResolved a resolved string value to the value as written (with its references); the keys are
 *     secrets and are only ever looked up, never shown
 * @param files the absolute paths of the files {@code ${file:...}} read
 */
public record ConfigReferences(Map<String, String> writtenByResolved, Set<Path> files) {
    /** A configuration without references (one built by code, or a file that uses none). */
    public static final ConfigReferences NONE = new ConfigReferences(Map.of(), Set.of());

    public ConfigReferences {
        writtenByResolved = Map.copyOf(writtenByResolved);
        files = Set.copyOf(files);
    }

    /** {@code value} as written when it came from references, else {@code value} itself. */
    public String written(String value) {
        return value == null ? null : writtenByResolved.getOrDefault(value, value);
    }

    /** Whether {@code value} is the resolution of a value written with references. */
    public boolean resolved(String value) {
        return value != null && writtenByResolved.containsKey(value);
    }

    /** Shown as the number of references only: the resolved values are secrets. */
    @Override
    public String toString() {
        return "ConfigReferences[" + writtenByResolved.size() + " value(s), files=" + files + "]";
    }
}
