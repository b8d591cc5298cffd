package io.strait.config.load;

import java.nio.file.Path;
import java.util.Set;

/**
 * What a filter's reader may know about where the filter is declared.
 *
 * @param route the route's name, or null for a listener's filter
 * @param pathParams the names of the route's path template parameters ({@code {id}}); empty for other
 *     routes and for listeners
 * @param baseDir where relative file paths in the filter's settings resolve
 * @param methods the methods the route's match names (empty: any method, and for listeners)
 * @param routePath the route's config path ({@code routes[2]}), or null for a listener's filter
 * @param routeTimeout the route's timeout ({@code 0}: none), or null for a listener's filter
 */
public record FilterReadContext(String route, Set<String> pathParams, Path baseDir, Set<String> methods, String routePath,
                                java.time.Duration routeTimeout) {
    public FilterReadContext {
        pathParams = Set.copyOf(pathParams);
        methods = methods == null ? Set.of() : Set.copyOf(methods);
    }

    public FilterReadContext(String route, Set<String> pathParams, Path baseDir) {
        this(route, pathParams, baseDir, Set.of(), null, null);
    }

    public boolean onListener() {
        return route == null;
    }
}
