package io.strait.filters.headers;

import io.strait.config.model.FilterConfig;
import java.util.List;

/**
 * The settings of one {@code headers} filter: what it does to the request head (before it goes upstream)
 * and to the response head (the upstream's, or a local reply), each side applied in Kong's order:
 * {@code remove}, {@code rename}, {@code set}, {@code add}, {@code append}; within a verb, in the order written.
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
    public record Side(List<String> remove, List<Rename> rename, List<Entry> set, List<Entry> add, List<Entry> append) {
        public static final Side NONE = new Side(List.of(), List.of(), List.of(), List.of(), List.of());

        public Side {
            remove = List.copyOf(remove);
            rename = List.copyOf(rename);
            set = List.copyOf(set);
            add = List.copyOf(add);
            append = List.copyOf(append);
        }

        public boolean isEmpty() {
            return remove.isEmpty() && rename.isEmpty() && set.isEmpty() && add.isEmpty() && append.isEmpty();
        }
    }

    /** A header renamed from {@code from} to {@code to}. */
    public record Rename(String from, String to) {}

    /** A header name and its value template. */
    public record Entry(String name, ValueTemplate value) {}
}
