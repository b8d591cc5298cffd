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
 */
public record FilterReadContext(String route, Set<String> pathParams, Path baseDir) {
    public FilterReadContext {
        pathParams = Set.copyOf(pathParams);
    }

    public boolean onListener() {
        return route == null;
    }
}
