package io.strait.mesh.xfcc;

import io.strait.config.load.FilterReadContext;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;

/** Reads {@code - xfcc: {by: URI}} (or {@code - xfcc: {}}). */
final class XfccReader implements FilterReader<XfccConfig> {
    static final String BY_SYNTAX = "must be a URI such as spiffe://cluster.local/ns/shop/sa/orders";

    @Override
    public String name() {
        return XfccFactory.NAME;
    }

    @Override
    public XfccConfig read(Node entry, String field, FilterReadContext context) {
        if (!entry.has(field)) {
            entry.skip(field);
            return new XfccConfig(null);
        }
        Node n = entry.object(field);
        if (n == null) return null;
        int before = n.errors().size();
        String by = n.string("by", null);
        n.finish();
        if (by != null && !XfccValue.isUri(by)) n.error("by", BY_SYNTAX);
        return n.errors().size() == before ? new XfccConfig(by) : null;
    }
}
