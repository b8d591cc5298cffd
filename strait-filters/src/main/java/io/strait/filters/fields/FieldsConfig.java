package io.strait.filters.fields;

import io.strait.config.model.FilterConfig;
import java.util.List;

/**
 * The {@code fields} filter's settings.
 *
 * @param param the query parameter a client selects with ({@code ?fields=id,name}); removed before the
 *     request goes upstream when {@code clientSelection} is on
 * @param clientSelection whether clients may select fields (within {@code allow} when it is given)
 * @param allow the only fields responses may carry (dotted paths); empty: every field
 * @param deny fields never sent, whatever is selected
 * @param maxSize the largest response body shaped; a longer one passes unchanged
 */
public record FieldsConfig(String param, boolean clientSelection, List<String> allow, List<String> deny, long maxSize)
        implements FilterConfig {
    /** The query parameter Google's APIs use for partial responses. */
    public static final String DEFAULT_PARAM = "fields";
    /** Bodies up to 1 MiB are shaped: a mobile payload, not a bulk export (which should not be buffered whole). */
    public static final long DEFAULT_MAX_SIZE = 1024 * 1024;

    public FieldsConfig {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    @Override
    public boolean shapesResponseBodies() {
        return true;
    }

    @Override
    public List<Problem> problems() {
        List<Problem> out = new java.util.ArrayList<>();
        if (param == null || param.isBlank()) out.add(new Problem("param", "must not be empty"));
        if (maxSize <= 0) out.add(new Problem("maxSize", "must be greater than 0"));
        check("allow", allow, out);
        check("deny", deny, out);
        if (!clientSelection && allow.isEmpty() && deny.isEmpty()) {
            out.add(new Problem("", "selects nothing: set clientSelection: true, allow or deny"));
        }
        return out;
    }

    private static void check(String field, List<String> paths, List<Problem> out) {
        for (int i = 0; i < paths.size(); i++) {
            try {
                FieldSelection.parse(paths.get(i));
            } catch (IllegalArgumentException e) {
                out.add(new Problem(field + "[" + i + "]", e.getMessage()));
            }
        }
    }
}
