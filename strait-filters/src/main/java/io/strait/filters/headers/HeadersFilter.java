package io.strait.filters.headers;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import java.util.List;

/**
 * Changes request headers before they go upstream and response headers on the way back (the upstream's
 * response and local replies alike), in Kong's order: remove, rename, set, add, append. Names are
 * {@link AsciiString}s made at load; values are rendered from their {@link ValueTemplate}s. A value that
 * renders empty (its variables have no value) is not sent, and a {@code set} of it removes the header,
 * so a client's own copy never passes for the gateway's; a value whose variable holds a control
 * character is treated the same way (never sent).
 */
final class HeadersFilter implements HttpFilter {
    /** One side, compiled. */
    private record Plan(AsciiString[] remove, AsciiString[] renameFrom, AsciiString[] renameTo, AsciiString[] setNames,
            ValueTemplate[] setValues, AsciiString[] addNames, ValueTemplate[] addValues, AsciiString[] appendNames,
            ValueTemplate[] appendValues, boolean empty) {
        static Plan of(HeadersConfig.Side s) {
            return new Plan(s.remove().stream().map(AsciiString::cached).toArray(AsciiString[]::new),
                    names(s.rename().keySet()), names(s.rename().values()),
                    names(s.set().keySet()), values(s.set()), names(s.add().keySet()), values(s.add()),
                    names(s.append().keySet()), values(s.append()), s.isEmpty());
        }

        private static AsciiString[] names(java.util.Collection<String> names) {
            return names.stream().map(AsciiString::cached).toArray(AsciiString[]::new);
        }

        private static ValueTemplate[] values(java.util.Map<String, ValueTemplate> entries) {
            return entries.values().toArray(ValueTemplate[]::new);
        }

        void apply(HttpHeaders h, RequestContext ctx) {
            if (empty) return;
            for (AsciiString name : remove) h.remove(name);
            for (int i = 0; i < renameFrom.length; i++) {
                List<String> values = h.getAll(renameFrom[i]);
                if (values.isEmpty()) continue;
                h.remove(renameFrom[i]);
                h.set(renameTo[i], values);
            }
            for (int i = 0; i < setNames.length; i++) {
                String v = setValues[i].render(ctx);
                if (v == null) h.remove(setNames[i]);
                else h.set(setNames[i], v);
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

    private final Plan request;
    private final Plan response;

    HeadersFilter(HeadersConfig config) {
        this.request = Plan.of(config.request());
        this.response = Plan.of(config.response());
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        request.apply(ctx.headers(), ctx);
        return FilterResult.CONTINUE;
    }

    @Override
    public void onResponse(RequestContext ctx, HttpResponse res) {
        response.apply(res.headers(), ctx);
    }
}
