package io.strait.filters.headers;

import io.strait.config.model.FilterConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
     * What {@link HeadersReader} would refuse in these settings, in its words and at its paths
     * ({@code request.set.Host}): a record built by code is checked by the model validator through this. Values
     * are {@link ValueTemplate}s, already parsed; that a {@code %path_param.NAME%} is one of the route's
     * parameters is checked by the reader only.
     */
    @Override
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if ((request == null || request.isEmpty()) && (response == null || response.isEmpty())) {
            out.add(new Problem("", HeadersReader.changesNothing()));
        }
        if (request != null) request.problems("request", out);
        if (response != null) response.problems("response", out);
        return out;
    }

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

        void problems(String side, List<Problem> out) {
            names(side + ".remove", remove, out, true);
            names(side + ".rename", List.copyOf(rename.keySet()), out, false);
            rename.forEach((from, to) -> {
                String problem = HeadersReader.nameProblem(to);
                if (problem != null) out.add(new Problem(side + ".rename." + from, problem));
            });
            names(side + ".set", List.copyOf(set.keySet()), out, false);
            names(side + ".add", List.copyOf(add.keySet()), out, false);
            names(side + ".append", List.copyOf(append.keySet()), out, false);
        }

        private static void names(String verb, List<String> names, List<Problem> out, boolean indexed) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                String at = indexed ? verb + "[" + i + "]" : verb + "." + name;
                String problem = HeadersReader.nameProblem(name);
                if (problem == null && !seen.add(name.toLowerCase(Locale.ROOT))) {
                    problem = "is given twice (header names are case-insensitive)";
                }
                if (problem != null) out.add(new Problem(at, problem));
            }
        }

        public boolean isEmpty() {
            return remove.isEmpty() && rename.isEmpty() && set.isEmpty() && add.isEmpty() && append.isEmpty();
        }
    }
}
