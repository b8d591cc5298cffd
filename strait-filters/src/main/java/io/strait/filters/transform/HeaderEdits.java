package io.strait.filters.transform;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.strait.filters.headers.ValueTemplate;
import io.strait.proxy.filter.RequestContext;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One side's header changes, compiled at load (names as {@link AsciiString}s), applied in Kong's order: remove,
 * rename, replace (only a present header), add (only an absent one), append (always). A value that renders empty,
 * or would carry a control character from a variable, is not sent; a {@code replace} of such a value removes the
 * header, so a client's own copy never passes for the gateway's.
 */
final class HeaderEdits {
    private final AsciiString[] remove;
    private final AsciiString[] renameFrom;
    private final AsciiString[] renameTo;
    private final AsciiString[] replaceNames;
    private final ValueTemplate[] replaceValues;
    private final AsciiString[] addNames;
    private final ValueTemplate[] addValues;
    private final AsciiString[] appendNames;
    private final ValueTemplate[] appendValues;

    private HeaderEdits(TransformConfig.Ops ops) {
        remove = names(ops.remove());
        renameFrom = names(ops.rename().keySet());
        renameTo = names(ops.rename().values());
        replaceNames = names(ops.replace().keySet());
        replaceValues = values(ops.replace());
        addNames = names(ops.add().keySet());
        addValues = values(ops.add());
        appendNames = names(ops.append().keySet());
        appendValues = values(ops.append());
    }

    /** The edits of {@code ops}, or null when there are none. */
    static HeaderEdits of(TransformConfig.Ops ops) {
        return ops == null || ops.isEmpty() ? null : new HeaderEdits(ops);
    }

    private static AsciiString[] names(Collection<String> names) {
        return names.stream().map(AsciiString::cached).toArray(AsciiString[]::new);
    }

    private static ValueTemplate[] values(Map<String, ValueTemplate> entries) {
        return entries.values().toArray(ValueTemplate[]::new);
    }

    void apply(HttpHeaders h, RequestContext ctx) {
        for (AsciiString name : remove) h.remove(name);
        for (int i = 0; i < renameFrom.length; i++) {
            List<String> values = h.getAll(renameFrom[i]);
            if (values.isEmpty()) continue;
            h.remove(renameFrom[i]);
            h.set(renameTo[i], values);
        }
        for (int i = 0; i < replaceNames.length; i++) {
            if (!h.contains(replaceNames[i])) continue;
            String v = replaceValues[i].render(ctx);
            if (v == null) h.remove(replaceNames[i]);
            else h.set(replaceNames[i], v);
        }
        for (int i = 0; i < addNames.length; i++) {
            if (h.contains(addNames[i])) continue;
            String v = addValues[i].render(ctx);
            if (v != null) h.add(addNames[i], v);
        }
        for (int i = 0; i < appendNames.length; i++) {
            String v = appendValues[i].render(ctx);
            if (v != null) h.add(appendNames[i], v);
        }
    }
}
