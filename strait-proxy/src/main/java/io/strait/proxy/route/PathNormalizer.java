package io.strait.proxy.route;

import io.strait.config.model.PathPolicy;

/** STUB until the router branch merges. */
public final class PathNormalizer {
    public record Result(String path, String query, String rejection) {
        public boolean ok() { return rejection == null; }
    }
    public static Result normalize(String target, PathPolicy policy) {
        if (!target.startsWith("/")) return new Result(null, null, "path must start with '/'");
        int q = target.indexOf('?');
        return q < 0 ? new Result(target, null, null) : new Result(target.substring(0, q), target.substring(q + 1), null);
    }
}
