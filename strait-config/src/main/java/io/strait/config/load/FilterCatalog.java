package io.strait.config.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The filters a process can read from configuration, by name. The configuration's own sections own two
 * names, {@value #AUTH} and {@value #RATE_LIMIT} (they check names against {@code auth} and
 * {@code rateLimits}), so every catalog reads them; other filters come with the process (the gateway
 * registers cors, headers, ...). A name the catalog lacks is a config error naming the entry.
 */
public final class FilterCatalog {
    /** Route authentication ({@code auth:}); its reader is part of the loader. */
    public static final String AUTH = "auth";
    /** Route rate limits ({@code rateLimit:}); its reader is part of the loader. */
    public static final String RATE_LIMIT = "rateLimit";
    /**
     * A route's API version ({@code version: {set, name}}); its reader is part of the loader (it checks names against
     * {@code versionSets}). Not listed by {@link #names()}: routes write it as a route field or a filters entry.
     */
    public static final String VERSION = "version";
    /** Only the loader's own filters: what a process without filter plugins reads. */
    public static final FilterCatalog CORE = new FilterCatalog(Map.of());

    private final Map<String, FilterReader<?>> readers;

    private FilterCatalog(Map<String, FilterReader<?>> readers) {
        this.readers = readers;
    }

    /** A catalog of the loader's own filters and {@code readers}; names must be unique and not the loader's own. */
    public static FilterCatalog of(List<? extends FilterReader<?>> readers) {
        Map<String, FilterReader<?>> m = new LinkedHashMap<>();
        for (FilterReader<?> r : readers) {
            if (r.name().equals(AUTH) || r.name().equals(RATE_LIMIT) || r.name().equals(VERSION)) {
                throw new IllegalArgumentException("filter name '" + r.name() + "' belongs to the configuration's own readers");
            }
            if (m.putIfAbsent(r.name(), r) != null) throw new IllegalArgumentException("filter '" + r.name() + "' registered twice");
        }
        return new FilterCatalog(Collections.unmodifiableMap(m));
    }

    /** The reader registered under {@code name} (not the loader's own), or null. */
    public FilterReader<?> reader(String name) {
        return readers.get(name);
    }

    /** Every name this catalog reads, the loader's own first. */
    public List<String> names() {
        List<String> out = new ArrayList<>(List.of(AUTH, RATE_LIMIT));
        out.addAll(readers.keySet());
        return out;
    }
}
