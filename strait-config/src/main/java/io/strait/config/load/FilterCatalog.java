package io.strait.config.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    /** Only the loader's own filters: what a process without filter plugins reads. */
    public static final FilterCatalog CORE = new FilterCatalog(Map.of(), Set.of());

    private final Map<String, FilterReader<?>> readers;
    /** The filters that answer every request themselves (their routes need no cluster). */
    private final Set<String> terminal;

    private FilterCatalog(Map<String, FilterReader<?>> readers, Set<String> terminal) {
        this.readers = readers;
        this.terminal = terminal;
    }

    /** A catalog of the loader's own filters and {@code readers}; names must be unique and not the loader's own. */
    public static FilterCatalog of(List<? extends FilterReader<?>> readers) {
        return of(readers, Set.of());
    }

    /**
     * As {@link #of(List)}; the filters named in {@code terminal} answer every request themselves: a route
     * with one needs no {@code cluster}, and may write it as a route field of its name ({@code aggregate: {...}}).
     */
    public static FilterCatalog of(List<? extends FilterReader<?>> readers, Set<String> terminal) {
        Map<String, FilterReader<?>> m = new LinkedHashMap<>();
        for (FilterReader<?> r : readers) {
            if (r.name().equals(AUTH) || r.name().equals(RATE_LIMIT)) {
                throw new IllegalArgumentException("filter name '" + r.name() + "' belongs to the configuration's own readers");
            }
            if (m.putIfAbsent(r.name(), r) != null) throw new IllegalArgumentException("filter '" + r.name() + "' registered twice");
        }
        for (String t : terminal) {
            if (!m.containsKey(t)) throw new IllegalArgumentException("terminal filter '" + t + "' has no reader");
        }
        return new FilterCatalog(Collections.unmodifiableMap(m), Set.copyOf(terminal));
    }

    /** Whether the filter named {@code name} answers every request itself (its route needs no cluster). */
    public boolean terminal(String name) {
        return terminal.contains(name);
    }

    /** The names of the filters that answer every request themselves, in registration order. */
    public List<String> terminalNames() {
        return readers.keySet().stream().filter(terminal::contains).toList();
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
