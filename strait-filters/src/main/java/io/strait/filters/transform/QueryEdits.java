package io.strait.filters.transform;

import io.strait.filters.headers.QueryParams;
import io.strait.filters.headers.ValueTemplate;
import io.strait.proxy.filter.RequestContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Query parameter changes, in Kong's order: remove (every value), rename (every value), replace (a present
 * parameter gets the one value), add (an absent one), append (one more value). Names are compared decoded (as
 * {@code %query.NAME%} reads them); parameters the edits do not touch keep their encoding, new names and values are
 * percent-encoded (RFC 3986: all but unreserved characters). Values render from the query as the client sent it.
 */
final class QueryEdits {
    /** One {@code name=value} of the query: raw (as sent) and the name decoded. */
    private static final class Param {
        String raw;
        String name;

        Param(String raw, String name) {
            this.raw = raw;
            this.name = name;
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final TransformConfig.Ops ops;
    private final ValueTemplate[] replace;
    private final ValueTemplate[] add;
    private final ValueTemplate[] append;

    private QueryEdits(TransformConfig.Ops ops) {
        this.ops = ops;
        this.replace = ops.replace().values().toArray(ValueTemplate[]::new);
        this.add = ops.add().values().toArray(ValueTemplate[]::new);
        this.append = ops.append().values().toArray(ValueTemplate[]::new);
    }

    /** The edits of {@code ops}, or null when there are none. */
    static QueryEdits of(TransformConfig.Ops ops) {
        return ops == null || ops.isEmpty() ? null : new QueryEdits(ops);
    }

    /** Changes the request's query ({@link RequestContext#query()}). */
    void apply(RequestContext ctx) {
        String[] replaceValues = render(replace, ctx);
        String[] addValues = render(add, ctx);
        String[] appendValues = render(append, ctx);
        List<Param> params = parse(QueryParams.of(ctx));
        for (String name : ops.remove()) params.removeIf(p -> p.name.equals(name));
        ops.rename().forEach((from, to) -> {
            for (Param p : params) {
                if (!p.name.equals(from)) continue;
                int eq = p.raw.indexOf('=');
                p.raw = encode(to) + (eq < 0 ? "" : p.raw.substring(eq));
                p.name = to;
            }
        });
        int i = 0;
        for (String name : ops.replace().keySet()) {
            String v = replaceValues[i++];
            int first = indexOf(params, name);
            if (first < 0) continue;
            Param keep = params.get(first);
            params.removeIf(p -> p.name.equals(name) && p != keep);
            if (v == null) params.remove(keep);
            else keep.raw = encode(name) + "=" + encode(v);
        }
        i = 0;
        for (String name : ops.add().keySet()) {
            String v = addValues[i++];
            if (v != null && indexOf(params, name) < 0) params.add(new Param(encode(name) + "=" + encode(v), name));
        }
        i = 0;
        for (String name : ops.append().keySet()) {
            String v = appendValues[i++];
            if (v != null) params.add(new Param(encode(name) + "=" + encode(v), name));
        }
        StringBuilder sb = new StringBuilder();
        for (Param p : params) {
            if (!sb.isEmpty()) sb.append('&');
            sb.append(p.raw);
        }
        ctx.query(sb.isEmpty() ? null : sb.toString());
    }

    private static String[] render(ValueTemplate[] values, RequestContext ctx) {
        String[] out = new String[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i].renderText(ctx);
        return out;
    }

    private static int indexOf(List<Param> params, String name) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).name.equals(name)) return i;
        }
        return -1;
    }

    private static List<Param> parse(String query) {
        List<Param> out = new ArrayList<>();
        if (query == null || query.isEmpty()) return out;
        int start = 0;
        while (start <= query.length()) {
            int amp = query.indexOf('&', start);
            int end = amp < 0 ? query.length() : amp;
            if (end > start) {
                int eq = query.indexOf('=', start);
                int keyEnd = eq < 0 || eq > end ? end : eq;
                out.add(new Param(query.substring(start, end), QueryParams.decode(query, start, keyEnd)));
            }
            if (amp < 0) break;
            start = amp + 1;
        }
        return out;
    }

    /** Percent-encodes all but RFC 3986's unreserved characters, as UTF-8. */
    static String encode(String s) {
        StringBuilder sb = null;
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean unreserved = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || b == '-' || b == '.' || b == '_' || b == '~';
            if (unreserved && sb == null) continue;
            if (sb == null) {
                sb = new StringBuilder(bytes.length * 3);
                for (int j = 0; j < i; j++) sb.append((char) bytes[j]);
            }
            if (unreserved) sb.append((char) b);
            else sb.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
        }
        return sb == null ? s : sb.toString();
    }
}
