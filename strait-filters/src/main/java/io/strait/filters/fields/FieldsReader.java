package io.strait.filters.fields;

import io.strait.config.load.FilterReadContext;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import io.strait.config.model.FilterConfig;
import java.util.List;

/**
 * Reads {@code - fields: {param: fields, clientSelection: true, allow: [id, address.city], deny: [password],
 * maxSize: 1MiB}}; every problem names its path ({@code routes[0].filters[1].fields.allow[2]}).
 */
public final class FieldsReader implements FilterReader<FieldsConfig> {
    @Override
    public String name() {
        return FieldsFactory.NAME;
    }

    @Override
    public FieldsConfig read(Node entry, String field, FilterReadContext context) {
        Node n = entry.object(field);
        if (n == null) {
            if (!entry.has(field)) {
                entry.skip(field);
                entry.error(field, "must be an object, e.g. {clientSelection: true, deny: [password]}");
            }
            return null;
        }
        // a listener's filters run before the route has read the query: there, only allow and deny apply
        boolean clientSelection = n.bool("clientSelection", !context.onListener());
        FieldsConfig c = new FieldsConfig(n.string("param", FieldsConfig.DEFAULT_PARAM), clientSelection,
                n.strings("allow"), n.strings("deny"), n.size("maxSize", FieldsConfig.DEFAULT_MAX_SIZE));
        n.finish();
        if (context.onListener() && clientSelection) {
            n.error("clientSelection", "is for routes (a listener's filters run before the query is read); use allow and deny here");
            return null;
        }
        int before = n.errors().size();
        for (FilterConfig.Problem p : c.problems()) n.error(p.field(), p.message());
        return n.errors().size() == before ? c : null;
    }

    /** For tests: the problems of a settings list as the reader words them. */
    static List<String> problems(FieldsConfig c) {
        return c.problems().stream().map(p -> p.field() + ": " + p.message()).toList();
    }
}
