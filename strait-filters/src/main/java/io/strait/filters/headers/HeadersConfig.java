package io.strait.filters.headers;

import io.strait.config.model.FilterConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of one {@code headers} filter: what it does to the request head (before it goes upstream)
 * and to the response head (the upstream's, or a local reply), each side applied in Kong's order:
 * {@code remove}, {@code rename}, {@code set}, {@code add}, {@code append}; within a verb, in the order written.
 * Shaped as written (maps keep the file's order; a value shows as its text), so {@code GET /config}
 * shows it as it loads.
 *
 * @param request the request side
 * @param response the response side
 */
public record HeadersConfig(Side request, Side response) implements FilterConfig {
    /**
     * One side's changes.
     *
     * @param remove names removed with all their values
     * @param rename each present {@code from} header's values moved to {@code to} (replacing any {@code to})
     * @param set each name's values replaced by the one value, created when absent (Kong's replace creates
     *     nothing; this is Envoy's OVERWRITE_IF_EXISTS_OR_ADD); a value that renders empty removes the header
     * @param add the value only when the header is absent
     * @param append the value as one more, always
     */
    public record Side(List<String> remove, Map<String, String> rename, Map<String, ValueTemplate> set,
            Map<String, ValueTemplate> add, Map<String, ValueTemplate> append) {
        public static final Side NONE = new Side(List.of(), Map.of(), Map.of(), Map.of(), Map.of());

        public Side {
            remove = List.copyOf(remove);
            rename = ordered(rename);
            set = ordered(set);
            add = ordered(add);
            append = ordered(append);
        }

        private static <V> Map<String, V> ordered(Map<String, V> m) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(m));
        }

        public boolean isEmpty() {
            return remove.isEmpty() && rename.isEmpty() && set.isEmpty() && add.isEmpty() && append.isEmpty();
        }
    }
}
