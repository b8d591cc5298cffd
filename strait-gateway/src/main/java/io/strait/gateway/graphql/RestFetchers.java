package io.strait.gateway.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.dataloader.BatchLoader;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderOptions;
import org.dataloader.DataLoaderRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data fetchers of mapped fields: each makes its REST call through the request's {@link RestCaller}
 * (in the GraphQL context) and returns a future, so execution never waits on a thread. A batched field loads
 * its parent's key through the request's DataLoader for that field: graphql-java dispatches the loaders once
 * a level's fields are all fetched, so all parents' keys go in one call.
 *
 * <p>A failed call is the field's null with an error naming the cluster ({@code extensions.code}:
 * {@value #UPSTREAM_ERROR} for a non-2xx status, {@value #UPSTREAM_UNAVAILABLE} without an answer,
 * {@value #UPSTREAM_BAD_RESPONSE} for a body that is not the JSON expected, {@value #NOT_FOUND} for a key
 * a batch's answer lacks); the rest of the data is returned. A 404 of an unbatched call is null, without error.
 */
final class RestFetchers {
    private static final Logger log = LoggerFactory.getLogger(RestFetchers.class);
    static final String UPSTREAM_ERROR = "UPSTREAM_ERROR";
    static final String UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE";
    static final String UPSTREAM_BAD_RESPONSE = "UPSTREAM_BAD_RESPONSE";
    static final String NOT_FOUND = "NOT_FOUND";
    /** 1 MiB: the largest upstream answer read whole into the GraphQL result. */
    static final int MAX_UPSTREAM_BODY = 1 << 20;
    private static final List<Map.Entry<String, String>> ACCEPT_JSON = List.of(Map.entry("Accept", "application/json"));
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A batch's value for a key its answer lacked. */
    private static final Object MISSING = new Object();

    private RestFetchers() {}

    /** Why a call gave no value; no stack trace (it is an answer). */
    static final class UpstreamFailure extends RuntimeException {
        final String code;
        final String cluster;

        UpstreamFailure(String code, String cluster, String message) {
            super(message, null, false, false);
            this.code = code;
            this.cluster = cluster;
        }
    }

    /** The fetcher of an unbatched field: one call per parent (or per root field). */
    static DataFetcher<CompletableFuture<DataFetcherResult<Object>>> single(ResolverSpec spec) {
        return env -> {
            String target = spec.target(env.getArguments(), env.getSource(), null);
            if (target == null) return CompletableFuture.completedFuture(nullValue(env, spec, "BAD_USER_INPUT",
                    spec.coordinates() + " needs a value for every variable of its path " + spec.path().text()));
            RestCaller caller = env.getGraphQlContext().get(RestCaller.class);
            return call(caller, spec, target)
                    .thenApply(a -> a.status() == 404 ? null : decode(spec, a))
                    .handle((v, ex) -> ex == null ? DataFetcherResult.newResult().data(v).build() : failed(env, spec, ex));
        };
    }

    /** The fetcher of a batched field: the parent's key through the request's loader for this field. */
    static DataFetcher<CompletableFuture<DataFetcherResult<Object>>> batched(ResolverSpec spec) {
        return env -> {
            Object key = env.getSource() instanceof Map<?, ?> m ? m.get(spec.batch().key()) : null;
            if (key == null) return CompletableFuture.completedFuture(DataFetcherResult.newResult().data(null).build());
            DataLoader<String, Object> loader = env.getDataLoader(spec.coordinates());
            String k = UrlTemplate.text(key);
            return loader.load(k).handle((v, ex) -> {
                if (ex != null) return failed(env, spec, ex);
                if (v == MISSING) {
                    return nullValue(env, spec, NOT_FOUND, spec.cluster() + " returned no " + spec.batch().match() + " '" + k + "'");
                }
                return DataFetcherResult.newResult().data(v).build();
            });
        };
    }

    /** A request's loaders: one per batched field, each calling through {@code caller}. */
    static DataLoaderRegistry registry(List<ResolverSpec> batched, RestCaller caller) {
        DataLoaderRegistry.Builder b = DataLoaderRegistry.newRegistry();
        for (ResolverSpec spec : batched) {
            DataLoaderOptions options = DataLoaderOptions.newOptions().setMaxBatchSize(spec.batch().maxSize()).build();
            b.register(spec.coordinates(), DataLoaderFactory.newDataLoader(spec.coordinates(), loader(spec, caller), options));
        }
        return b.build();
    }

    private static BatchLoader<String, Object> loader(ResolverSpec spec, RestCaller caller) {
        return keys -> call(caller, spec, spec.target(Map.of(), null, keys)).thenApply(a -> match(spec, keys, decode(spec, a)));
    }

    private static List<Object> match(ResolverSpec spec, List<String> keys, Object value) {
        if (!(value instanceof List<?> list)) {
            throw new UpstreamFailure(UPSTREAM_BAD_RESPONSE, spec.cluster(), spec.cluster() + " answered "
                    + spec.path().text() + " with no JSON array");
        }
        Map<String, Object> byKey = new HashMap<>();
        for (Object e : list) {
            if (e instanceof Map<?, ?> m && m.get(spec.batch().match()) != null) {
                byKey.putIfAbsent(UrlTemplate.text(m.get(spec.batch().match())), e);
            }
        }
        List<Object> out = new ArrayList<>(keys.size());
        for (String k : keys) out.add(byKey.getOrDefault(k, MISSING));
        return out;
    }

    private static CompletableFuture<RestCaller.RestAnswer> call(RestCaller caller, ResolverSpec spec, String target) {
        try {
            return caller.call(new RestCaller.RestCall(spec.cluster(), "GET", target, ACCEPT_JSON, spec.timeout(), MAX_UPSTREAM_BODY))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The field's value: the answer's JSON (at the resolver's pointer) as maps, lists and scalars. */
    private static Object decode(ResolverSpec spec, RestCaller.RestAnswer a) {
        if (a.status() < 200 || a.status() > 299) {
            throw new UpstreamFailure(UPSTREAM_ERROR, spec.cluster(), spec.cluster() + " answered " + a.status());
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(a.body());
        } catch (IOException e) {
            throw new UpstreamFailure(UPSTREAM_BAD_RESPONSE, spec.cluster(), spec.cluster() + " answered with a body that is not JSON");
        }
        JsonNode at = spec.result().isEmpty() ? tree : tree.at(spec.result());
        if (at == null || at.isMissingNode()) {
            throw new UpstreamFailure(UPSTREAM_BAD_RESPONSE, spec.cluster(), "the answer of " + spec.cluster() + " has nothing at " + spec.result());
        }
        return JSON.convertValue(at, Object.class);
    }

    private static DataFetcherResult<Object> failed(DataFetchingEnvironment env, ResolverSpec spec, Throwable ex) {
        Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
        if (cause instanceof UpstreamFailure f) return nullValue(env, spec, f.code, f.getMessage());
        log.debug("{}: the call to {} failed: {}", spec.coordinates(), spec.cluster(), cause.toString());
        return nullValue(env, spec, UPSTREAM_UNAVAILABLE, spec.cluster() + " did not answer");
    }

    private static DataFetcherResult<Object> nullValue(DataFetchingEnvironment env, ResolverSpec spec, String code, String message) {
        return DataFetcherResult.newResult()
                .data(null)
                .error(GraphqlErrorBuilder.newError(env).message(message)
                        .extensions(Map.of("code", code, "cluster", spec.cluster())).build())
                .build();
    }
}
