package io.strait.gateway.graphql;

import io.strait.config.load.FilterReader;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;

/**
 * Registers the {@code graphql} filter: it answers every request of its route itself (a terminal filter, so
 * the route needs no cluster and may write it as a route field, {@code graphql: {...}}). The schema is built
 * here, at load; a schema that cannot be served refuses the configuration, naming the entry.
 */
public final class GraphqlFactory implements FilterFactory<GraphqlConfig> {
    private static final GraphqlReader READER = new GraphqlReader();

    @Override
    public String name() {
        return GraphqlReader.NAME;
    }

    @Override
    public Class<GraphqlConfig> configType() {
        return GraphqlConfig.class;
    }

    @Override
    public FilterReader<GraphqlConfig> reader() {
        return READER;
    }

    @Override
    public boolean terminal() {
        return true;
    }

    @Override
    public HttpFilter create(GraphqlConfig config, FilterScope scope) {
        GraphqlService service;
        try {
            service = new GraphqlService(config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(scope.path() + "." + GraphqlReader.NAME + "." + e.getMessage(), e);
        }
        return new GraphqlFilter(service, scope);
    }
}
