package io.strait.filters.aggregate;

import io.strait.config.load.FilterReader;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registers the {@code aggregate} filter: a route that answers every request itself with several upstream
 * calls merged into one JSON document (KrakenD's endpoint with several backends). Written as a route field,
 * {@code aggregate: {...}}; such a route needs no {@code cluster}.
 */
public final class AggregateFactory implements FilterFactory<AggregateConfig> {
    /** The name users write: {@code aggregate: {...}} on a route. */
    public static final String NAME = "aggregate";

    private static final AggregateReader READER = new AggregateReader();
    private static final Pattern TEMPLATE_PARAM = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<AggregateConfig> configType() {
        return AggregateConfig.class;
    }

    @Override
    public FilterReader<AggregateConfig> reader() {
        return READER;
    }

    @Override
    public boolean terminal() {
        return true;
    }

    @Override
    public HttpFilter create(AggregateConfig config, FilterScope scope) {
        RouteConfig route = scope.route();
        if (route == null) throw new IllegalArgumentException(scope.path() + ": only routes take the aggregate filter");
        String methods = AggregateReader.methodProblem(route.match().methods());
        if (methods != null) throw new IllegalArgumentException(scope.path() + ": " + methods);
        String late = AggregateReader.timeoutProblem(config.timeout(), route.timeout());
        if (late != null) throw new IllegalArgumentException(scope.path() + ".timeout: " + late);
        Set<String> params = pathParams(route.match());
        List<AggregateFilter.Target> targets = new ArrayList<>();
        for (Map.Entry<String, AggregateConfig.Call> e : config.calls().entrySet()) {
            Map<String, String> errors = new LinkedHashMap<>();
            CallTarget t = CallTarget.parse(e.getValue().path(), e.getValue().query(), params, errors);
            if (t == null) {
                Map.Entry<String, String> first = errors.entrySet().iterator().next();
                throw new IllegalArgumentException(scope.path() + ".calls." + e.getKey() + "." + first.getKey() + ": " + first.getValue());
            }
            targets.add(new AggregateFilter.Target(e.getKey(), e.getValue().cluster(), t));
        }
        return new AggregateFilter(route.name(), config, targets, scope.clients());
    }

    /** The names of a template route's captures ({@code {id}}). */
    static Set<String> pathParams(RouteMatch match) {
        if (match.pathKind() != RouteMatch.PathKind.TEMPLATE || match.path() == null) return Set.of();
        Set<String> out = new LinkedHashSet<>();
        Matcher m = TEMPLATE_PARAM.matcher(match.path());
        while (m.find()) out.add(m.group(1));
        return out;
    }
}
