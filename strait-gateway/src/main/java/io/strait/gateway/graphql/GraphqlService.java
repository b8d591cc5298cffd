package io.strait.gateway.graphql;

import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.introspection.Introspection;
import graphql.parser.ParserOptions;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.TypeDefinitionRegistry;
import graphql.schema.idl.TypeRuntimeWiring;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One route's GraphQL BFF: the schema with its fields wired to REST calls, the limits, introspection and
 * persisted queries. Built once per configuration (on the control thread); {@link #handle} serves any number of
 * requests at once from any thread and never blocks: execution is graphql-java's async strategy over the
 * futures of {@link RestCaller}, with one DataLoader registry per request.
 */
public final class GraphqlService {
    private static final Logger log = LoggerFactory.getLogger(GraphqlService.class);

    private final GraphqlConfig config;
    private final GraphQL graphql;
    private final QueryLimits limits;
    private final PersistedQueryStore persisted;
    private final List<ResolverSpec> batched;

    /** Throws {@link IllegalArgumentException} when the schema or mapping is unusable (the reader checks both first). */
    public GraphqlService(GraphqlConfig config) {
        this.config = config;
        List<SchemaCheck.Problem> problems = new ArrayList<>();
        TypeDefinitionRegistry types = SchemaCheck.parse(config.schema(), problems);
        if (types != null) problems.addAll(SchemaCheck.resolvers(types, config.resolvers()));
        if (!problems.isEmpty()) {
            SchemaCheck.Problem p = problems.get(0);
            throw new IllegalArgumentException(p.field() + ": " + p.message());
        }
        this.limits = new QueryLimits(config.limits());
        this.persisted = new PersistedQueryStore(config.persistedQueries());
        this.batched = config.resolvers().values().stream().filter(r -> r.batch() != null).toList();
        this.graphql = GraphQL.newGraphQL(SchemaCheck.build(types, wiring(config.resolvers())))
                .instrumentation(limits.instrumentation())
                .preparsedDocumentProvider(limits.documents())
                .build();
    }

    private static RuntimeWiring wiring(Map<String, ResolverSpec> resolvers) {
        Map<String, TypeRuntimeWiring.Builder> byType = new LinkedHashMap<>();
        for (ResolverSpec r : resolvers.values()) {
            byType.computeIfAbsent(r.type(), TypeRuntimeWiring::newTypeWiring)
                    .dataFetcher(r.field(), r.batch() == null ? RestFetchers.single(r) : RestFetchers.batched(r));
        }
        // the built-in ID replaced by the spec's (strict mode, on again after, refuses redefining a scalar)
        RuntimeWiring.Builder w = RuntimeWiring.newRuntimeWiring().strictMode(false).scalar(StrictId.ID).strictMode(true);
        byType.values().forEach(w::type);
        return w.build();
    }

    public GraphqlConfig config() {
        return config;
    }

    /** The longest request body taken. */
    public long maxBodySize() {
        return config.limits().maxBodySize();
    }

    /** How many queries clients registered by automatic persisted queries. */
    public int registeredQueries() {
        return persisted.registeredCount();
    }

    /**
     * Answers one HTTP request (method, query string without '?', Content-Type, Accept, body); a request that is
     * not well-formed GraphQL over HTTP is answered with its GraphQL error, never an exception.
     */
    public CompletionStage<GraphqlAnswer> handle(String method, String rawQuery, String contentType, String accept,
            byte[] body, String requestId, RestCaller caller) {
        GraphqlRequest request;
        try {
            request = GraphqlHttp.read(method, rawQuery, contentType, accept, body, maxBodySize(), requestId);
        } catch (Refusal r) {
            return CompletableFuture.completedFuture(GraphqlResponses.refusal(r, GraphqlHttp.wantsGraphqlResponse(accept), requestId));
        }
        return execute(request, caller);
    }

    /** Runs one request: its REST calls through {@code caller}; the stage completes on the thread of the last call. */
    public CompletionStage<GraphqlAnswer> execute(GraphqlRequest request, RestCaller caller) {
        String query;
        try {
            query = persisted.resolve(request.query(), request.extensions());
        } catch (Refusal r) {
            return CompletableFuture.completedFuture(GraphqlResponses.refusal(r, request.graphqlResponse(), request.requestId()));
        }
        Map<Object, Object> context = new HashMap<>();
        context.put(RestCaller.class, caller);
        context.put(ParserOptions.class, limits.parserOptions());
        context.put(Introspection.INTROSPECTION_DISABLED, !config.introspection());
        context.put(QueryLimits.GET, request.get());
        ExecutionInput input = ExecutionInput.newExecutionInput()
                .query(query)
                .operationName(request.operationName())
                .variables(request.variables())
                .extensions(request.extensions())
                .graphQLContext(context)
                .dataLoaderRegistry(RestFetchers.registry(batched, caller))
                .build();
        CompletableFuture<ExecutionResult> run;
        try {
            run = graphql.executeAsync(input);
        } catch (RuntimeException e) {
            run = CompletableFuture.failedFuture(e);
        }
        return run.handle((result, ex) -> {
            if (ex != null) {
                log.warn("a GraphQL request failed: {}", ex.toString());
                return GraphqlResponses.refusal(new Refusal(Refusal.BY_MEDIA_TYPE, "INTERNAL_ERROR", "the request failed"),
                        request.graphqlResponse(), request.requestId());
            }
            for (GraphQLError e : result.getErrors()) {
                if (e.getExtensions() != null && QueryLimits.METHOD_NOT_ALLOWED.equals(e.getExtensions().get("code"))) {
                    return GraphqlResponses.refusal(new Refusal(405, QueryLimits.METHOD_NOT_ALLOWED, e.getMessage()),
                            request.graphqlResponse(), request.requestId());
                }
            }
            return GraphqlResponses.result(result, request.graphqlResponse(), request.requestId());
        });
    }
}
