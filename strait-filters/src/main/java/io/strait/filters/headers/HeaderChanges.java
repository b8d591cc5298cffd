package io.strait.filters.headers;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.strait.proxy.filter.RequestContext;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One side's header changes, compiled at load (names as {@link AsciiString}s, values as {@link ValueTemplate}s) and
 * applied in Kong's order: remove, rename, then the value changes, add (only an absent header), append (always). The
 * value change is the {@code headers} filter's {@code set} (always) or the {@code transform} filter's {@code replace}
 * (only a present header). A value that renders empty, or whose variable holds a control character, is not sent;
 * setting or replacing with such a value removes the header, so a client's own copy never passes for the gateway's.
 */
public final class HeaderChanges {
    private final AsciiString[] remove;
    private final AsciiString[] renameFrom;
    private final AsciiString[] renameTo;
    private final AsciiString[] changeNames;
    private final ValueTemplate[] changeValues;
    private final boolean onlyPresent;
    private final AsciiString[] addNames;
    private final ValueTemplate[] addValues;
    private final AsciiString[] appendNames;
    private final ValueTemplate[] appendValues;

    private HeaderChanges(List<String> remove, Map<String, String> rename, Map<String, ValueTemplate> change,
            boolean onlyPresent, Map<String, ValueTemplate> add, Map<String, ValueTemplate> append) {
        this.remove = names(remove);
        this.renameFrom = names(rename.keySet());
        this.renameTo = names(rename.values());
        this.changeNames = names(change.keySet());
        this.changeValues = change.values().toArray(ValueTemplate[]::new);
        this.onlyPresent = onlyPresent;
        this.addNames = names(add.keySet());
        this.addValues = add.values().toArray(ValueTemplate[]::new);
        this.appendNames = names(append.keySet());
        this.appendValues = append.values().toArray(ValueTemplate[]::new);
    }

    /** The {@code headers} filter's changes: {@code set} always sets. */
    public static HeaderChanges withSet(List<String> remove, Map<String, String> rename, Map<String, ValueTemplate> set,
            Map<String, ValueTemplate> add, Map<String, ValueTemplate> append) {
        return new HeaderChanges(remove, rename, set, false, add, append);
    }

    /** The {@code transform} filter's changes: {@code replace} changes only a header that is there. */
    public static HeaderChanges withReplace(List<String> remove, Map<String, String> rename, Map<String, ValueTemplate> replace,
            Map<String, ValueTemplate> add, Map<String, ValueTemplate> append) {
        return new HeaderChanges(remove, rename, replace, true, add, append);
    }

    private static AsciiString[] names(Collection<String> names) {
        return names.stream().map(AsciiString::cached).toArray(AsciiString[]::new);
    }

    public void apply(HttpHeaders h, RequestContext ctx) {
        for (AsciiString name : remove) h.remove(name);
        for (int i = 0; i < renameFrom.length; i++) {
            List<String> values = h.getAll(renameFrom[i]);
            if (values.isEmpty()) continue;
            h.remove(renameFrom[i]);
            h.set(renameTo[i], values);
        }
        for (int i = 0; i < changeNames.length; i++) {
            if (onlyPresent && !h.contains(changeNames[i])) continue;
            String v = changeValues[i].render(ctx);
            if (v == null) h.remove(changeNames[i]);
            else h.set(changeNames[i], v);
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
