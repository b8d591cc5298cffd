package io.strait.gateway.graphql;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The REST call that answers one schema field ({@code Query.user}, {@code Order.user}): a GET on a cluster,
 * its path and query built from the field's arguments and the parent object.
 *
 * @param type the schema type whose field this is
 * @param field the field's name
 * @param cluster the cluster called
 * @param path the path template ({@code /users/{args.id}})
 * @param query query parameters by name, each a template; a parameter whose variable has no value is left out
 * @param batch how the parents' calls become one, or null to call once per parent
 * @param result a JSON pointer to the part of the answer that is the field's value ({@code /data}); "" for all
 * @param timeout the call's timeout, or null for the route's
 */
public record ResolverSpec(
        String type,
        String field,
        String cluster,
        UrlTemplate path,
        Map<String, UrlTemplate> query,
        Batch batch,
        String result,
        Duration timeout) {

    public ResolverSpec {
        query = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(query));
    }

    /**
     * The request target for these values ({@code /users/7?expand=true}); null when a path variable has no value.
     * A query parameter whose variable has no value is left out.
     */
    public String target(Map<String, Object> args, Object source, List<String> keys) {
        String p = path.render(args, source, keys, true);
        if (p == null) return null;
        StringBuilder sb = new StringBuilder(p);
        char sep = p.indexOf('?') >= 0 ? '&' : '?';
        for (Map.Entry<String, UrlTemplate> q : query.entrySet()) {
            String v = q.getValue().render(args, source, keys, false);
            if (v == null) continue;
            sb.append(sep).append(java.net.URLEncoder.encode(q.getKey(), java.nio.charset.StandardCharsets.UTF_8)).append('=').append(v);
            sep = '&';
        }
        return sb.toString();
    }

    /** {@code Type.field}. */
    public String coordinates() {
        return type + "." + field;
    }

    /** Every template, the path first. */
    public List<UrlTemplate> templates() {
        java.util.ArrayList<UrlTemplate> all = new java.util.ArrayList<>();
        all.add(path);
        all.addAll(query.values());
        return all;
    }

    /**
     * One call for all the parents of a dispatch: the parents' {@code key} values, distinct, go in as {@code {keys}};
     * the answer is a JSON array whose elements are matched back to keys by their {@code match} field.
     *
     * @param key the parent's field holding the key ({@code userId})
     * @param match the answer elements' field holding it ({@code id})
     * @param maxSize the most keys in one call (more parents: more calls), bounding the URL's length
     */
    public record Batch(String key, String match, int maxSize) {
        /** 100 keys: a page of parents in one call, and a URL well under the 8 KiB most servers take. */
        public static final int DEFAULT_MAX_SIZE = 100;
    }
}
