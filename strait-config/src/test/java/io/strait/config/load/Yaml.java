package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.model.StraitConfig;
import java.util.List;

/** Test helpers: load YAML text, or collect the errors it gives. */
final class Yaml {
    static final String SOURCE = "test.yaml";

    private Yaml() {}

    static StraitConfig load(String yaml) {
        try {
            return ConfigLoader.parse(yaml, SOURCE);
        } catch (ConfigException e) {
            throw new AssertionError("expected a valid config, got:\n" + e.getMessage(), e);
        }
    }

    static List<String> errors(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, SOURCE));
        assertThat(e).as("expected ConfigException for:\n%s", yaml).isNotNull();
        assertThat(e.getMessage()).isEqualTo(String.join("\n", e.errors()));
        return e.errors();
    }

    /** Asserts the file gives exactly these errors, in this order. */
    static void assertErrors(String yaml, String... expected) {
        assertThat(errors(yaml)).as("errors of:\n%s", yaml).containsExactly(expected);
    }
}
