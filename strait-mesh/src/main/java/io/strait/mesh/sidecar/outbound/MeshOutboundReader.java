package io.strait.mesh.sidecar.outbound;

import io.strait.config.load.FilterReadContext;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import java.util.Map;
import java.util.Set;

/** Reads {@code - meshOutbound: {hosts: {NAME: SERVICE}, empty: [SERVICE], service: SERVICE}} (made by the sidecar). */
final class MeshOutboundReader implements FilterReader<MeshOutboundConfig> {
    @Override
    public String name() {
        return MeshOutboundFactory.NAME;
    }

    @Override
    public MeshOutboundConfig read(Node entry, String field, FilterReadContext context) {
        Node n = entry.object(field);
        if (n == null) return null;
        int before = n.errors().size();
        Map<String, String> hosts = n.stringMap("hosts");
        Set<String> empty = Set.copyOf(n.strings("empty"));
        String service = n.string("service", null);
        n.finish();
        return n.errors().size() == before ? new MeshOutboundConfig(hosts == null ? Map.of() : hosts, empty, service) : null;
    }
}
