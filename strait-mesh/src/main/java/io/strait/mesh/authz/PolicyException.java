package io.strait.mesh.authz;

import java.util.List;

/** Policies refused at load; every error names its file, document index and field path. */
public final class PolicyException extends Exception {
    private final List<String> errors;

    public PolicyException(List<String> errors) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
