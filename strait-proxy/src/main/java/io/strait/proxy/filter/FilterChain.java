package io.strait.proxy.filter;

import io.strait.config.model.FilterConfig;
import io.strait.config.model.FilterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A route's or listener's filters in the order they run, built once when the configuration loads.
 * It also knows, once, which bodies its filters read whole and how far (the largest limit asked), so
 * a request whose chain reads no body never looks at one.
 */
public final class FilterChain {
    /**
     * One filter of the chain, with the name its errors and metrics carry. {@code seesResponseHeads}: the filter
     * has an {@link HttpFilter#onResponse} of its own (most built-in filters only look at requests: the
     * exchange then makes no call per response for them).
     */
    public record Link(String name, HttpFilter filter, BodyAccess access, boolean seesResponseHeads) {
        public Link(String name, HttpFilter filter, BodyAccess access) {
            this(name, filter, access, overridesOnResponse(filter));
        }

        private static boolean overridesOnResponse(HttpFilter f) {
            try {
                return f.getClass().getMethod("onResponse", RequestContext.class, io.netty.handler.codec.http.HttpResponse.class)
                        .getDeclaringClass() != HttpFilter.class;
            } catch (NoSuchMethodException e) {
                return true; // cannot tell: call it
            }
        }
    }

    public static final FilterChain EMPTY = new FilterChain("", List.of());

    private final String owner;
    private final Link[] links;
    private final long requestBodyLimit;
    private final boolean rejectLongRequest;
    private final long responseBodyLimit;
    private final boolean rejectLongResponse;

    /** {@code owner}: the route's name, or {@code listener:NAME}, as errors and metrics label it. */
    public FilterChain(String owner, List<Link> links) {
        this.owner = owner;
        this.links = links.toArray(new Link[0]);
        long req = 0;
        long res = 0;
        boolean rejReq = false;
        boolean rejRes = false;
        for (Link l : links) {
            BodyAccess a = l.access();
            if (a.readsRequest()) {
                req = Math.max(req, a.requestLimit());
                rejReq |= a.requestOver() == BodyAccess.OverLimit.REJECT;
            }
            if (a.readsResponse()) {
                res = Math.max(res, a.responseLimit());
                rejRes |= a.responseOver() == BodyAccess.OverLimit.REJECT;
            }
        }
        this.requestBodyLimit = req;
        this.rejectLongRequest = rejReq;
        this.responseBodyLimit = res;
        this.rejectLongResponse = rejRes;
    }

    /**
     * Builds the chain of {@code specs} with {@code factories}, after {@code first} (filters the engine or
     * the role always runs there).
     *
     * @param scopeOf the scope of each entry (its path names it in errors)
     * @throws IllegalArgumentException naming the entry's path when no factory has its name, or the
     *     factory refuses its settings
     */
    public static FilterChain build(String owner, List<HttpFilter> first, List<FilterSpec> specs,
            Map<String, FilterFactory<?>> factories, Function<FilterSpec, FilterScope> scopeOf) {
        List<Link> links = new ArrayList<>();
        for (HttpFilter f : first) links.add(new Link(nameOf(f), f, f.bodyAccess()));
        for (FilterSpec spec : specs) {
            FilterFactory<?> factory = factories.get(spec.name());
            if (factory == null) {
                throw new IllegalArgumentException(spec.path() + ": this process has no '" + spec.name() + "' filter");
            }
            HttpFilter f = create(factory, spec.config(), scopeOf.apply(spec));
            links.add(new Link(spec.name(), f, f.bodyAccess()));
        }
        return new FilterChain(owner, links);
    }

    private static <C extends FilterConfig> HttpFilter create(FilterFactory<C> factory, FilterConfig config, FilterScope scope) {
        if (!factory.configType().isInstance(config)) {
            throw new IllegalArgumentException(scope.path() + ": settings of type " + config.getClass().getSimpleName()
                    + " do not fit the '" + factory.name() + "' filter");
        }
        return factory.create(factory.configType().cast(config), scope);
    }

    /** An engine or role filter's name in errors and metrics: its class name without "Filter". */
    private static String nameOf(HttpFilter f) {
        String n = f.getClass().getSimpleName();
        if (n.isEmpty()) return "anonymous";
        n = n.endsWith("Filter") && n.length() > 6 ? n.substring(0, n.length() - 6) : n;
        return Character.toLowerCase(n.charAt(0)) + n.substring(1);
    }

    public String owner() {
        return owner;
    }

    public int size() {
        return links.length;
    }

    public Link link(int i) {
        return links[i];
    }

    public boolean isEmpty() {
        return links.length == 0;
    }

    /** The largest request body a filter reads whole, 0 when none reads it. */
    public long requestBodyLimit() {
        return requestBodyLimit;
    }

    /** Whether a request body longer than a reader's limit is refused (413) rather than passed on unread. */
    public boolean rejectsLongRequest() {
        return rejectLongRequest;
    }

    /** The largest response body a filter reads whole, 0 when none reads it. */
    public long responseBodyLimit() {
        return responseBodyLimit;
    }

    /** Whether a response body longer than a reader's limit is a 502 rather than relayed unchanged. */
    public boolean rejectsLongResponse() {
        return rejectLongResponse;
    }
}
