package io.strait.config.load;

import io.strait.config.model.FilterConfig;

/**
 * Reads one filter's settings from its entry in a {@code filters:} list (or a route's short form) into
 * the filter's immutable config record. Registered by name in a {@link FilterCatalog}; the name is what
 * users write ({@code - cors: {...}}).
 *
 * <p>A reader reports every problem on the node ({@code node.error(field, message)}, which prefixes the
 * exact path, e.g. {@code routes[0].filters[1].cors.maxAge}) and returns null when the settings are
 * unusable; the load then fails with all errors at once.
 */
public interface FilterReader<C extends FilterConfig> {
    /** The name users write for this filter. */
    String name();

    /**
     * Reads {@code field} of {@code entry} (the value may be an object, a list or a scalar, as the filter
     * defines); marks {@code field} read. Unknown fields inside the filter's object are errors
     * ({@link Node#finish()} on the object node).
     */
    C read(Node entry, String field, FilterReadContext context);
}
