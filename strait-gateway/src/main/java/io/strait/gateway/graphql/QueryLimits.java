package io.strait.gateway.graphql;

import graphql.ErrorType;
import graphql.ExecutionInput;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.AbortExecutionException;
import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.Node;
import graphql.language.OperationDefinition;
import graphql.language.SelectionSet;
import graphql.parser.ParserOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The limits every query keeps ({@link GraphqlConfig.Limits}), each refused with a GraphQL error whose
 * {@code extensions.code} names it, before any field is fetched: tokens by the parser
 * ({@link ParserOptions#getMaxTokens()}: {@code GRAPHQL_PARSE_FAILED}), aliases ({@value #TOO_MANY_ALIASES}), depth
 * ({@value #TOO_DEEP}: the longest chain of nested fields) and complexity ({@value #TOO_COMPLEX}: one per field
 * written, each fragment counted where it is spread), and a GET that asks for a mutation ({@value #METHOD_NOT_ALLOWED}).
 * An introspection-only operation is exempt from depth and complexity ({@link #introspectionOnly}). A document is
 * parsed, validated and measured once per distinct text (bounded cache): a repeated query costs a map lookup, not a
 * walk of its tree per request (graphql-java's depth and complexity instrumentations walk it every time). Fields
 * under {@code @skip}/{@code @include} count as if included: the limits hold whatever the variables are.
 */
final class QueryLimits {
    static final String TOO_MANY_ALIASES = "TOO_MANY_ALIASES";
    static final String TOO_DEEP = "QUERY_TOO_DEEP";
    static final String TOO_COMPLEX = "QUERY_TOO_COMPLEX";
    static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
    /** The GraphQL context key saying the request came as a GET. */
    static final String GET = "strait.graphql.get";
    /** 1000 documents: an app's operations, each parsed once. */
    static final int DOCUMENT_CACHE_SIZE = 1000;

    /** One operation's size: its depth and field count, and whether it asks for introspection only. */
    record Shape(int depth, int complexity, boolean introspectionOnly) {}

    /** A parsed and validated document with the shape of each of its operations (by name; "" for an anonymous one). */
    private record Prepared(PreparsedDocumentEntry entry, Map<String, Shape> shapes) {}

    private final GraphqlConfig.Limits limits;
    private final ParserOptions parserOptions;
    private final BoundedCache<String, Prepared> documents = new BoundedCache<>(DOCUMENT_CACHE_SIZE);

    QueryLimits(GraphqlConfig.Limits limits) {
        this.limits = limits;
        this.parserOptions = ParserOptions.getDefaultOperationParserOptions().transform(b -> b.maxTokens(limits.maxTokens()));
    }

    /** The parser's options (the token limit), for the request's GraphQL context. */
    ParserOptions parserOptions() {
        return parserOptions;
    }

    /** Parses, validates and measures once per distinct text; checks the requested operation's limits per request. */
    PreparsedDocumentProvider documents() {
        return (ExecutionInput input, Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) -> {
            Prepared prepared = documents.get(input.getQuery());
            if (prepared == null) {
                PreparsedDocumentEntry entry = parseAndValidate.apply(input);
                if (entry.hasErrors()) return CompletableFuture.completedFuture(entry);
                int aliases = aliases(entry.getDocument());
                if (aliases > limits.maxAliases()) {
                    entry = new PreparsedDocumentEntry(error(TOO_MANY_ALIASES,
                            "the query has " + aliases + " aliases; the limit is " + limits.maxAliases()));
                }
                prepared = new Prepared(entry, entry.hasErrors() ? Map.of() : shapes(entry.getDocument()));
                documents.put(input.getQuery(), prepared);
            }
            return CompletableFuture.completedFuture(check(prepared, input.getOperationName()));
        };
    }

    /** The document, or the error of the first limit the requested operation breaks (depth first). */
    private PreparsedDocumentEntry check(Prepared prepared, String operationName) {
        Shape shape = operationName != null ? prepared.shapes().get(operationName)
                : prepared.shapes().size() == 1 ? prepared.shapes().values().iterator().next() : null;
        // no such operation (or several and no name): graphql-java answers that itself
        if (shape == null || shape.introspectionOnly()) return prepared.entry();
        if (shape.depth() > limits.maxDepth()) {
            return new PreparsedDocumentEntry(error(TOO_DEEP,
                    "the query is " + shape.depth() + " levels deep; the limit is " + limits.maxDepth()));
        }
        if (shape.complexity() > limits.maxComplexity()) {
            return new PreparsedDocumentEntry(error(TOO_COMPLEX,
                    "the query selects " + shape.complexity() + " fields; the limit is " + limits.maxComplexity()));
        }
        return prepared.entry();
    }

    /** A GET runs queries only: checked as the operation starts, before any field is fetched. */
    Instrumentation instrumentation() {
        return new GetOnlyQueries();
    }

    /** The shape of each operation of a valid document (fragment spreads expanded; validation rules out cycles). */
    static Map<String, Shape> shapes(Document document) {
        Map<String, FragmentDefinition> fragments = new HashMap<>();
        for (var d : document.getDefinitions()) {
            if (d instanceof FragmentDefinition f) fragments.put(f.getName(), f);
        }
        Map<String, Shape> shapes = new HashMap<>();
        for (var d : document.getDefinitions()) {
            if (!(d instanceof OperationDefinition o)) continue;
            int[] count = new int[1];
            int depth = depth(o.getSelectionSet(), fragments, count);
            shapes.put(o.getName() == null ? "" : o.getName(), new Shape(depth, count[0], introspectionOnly(o.getSelectionSet())));
        }
        return shapes;
    }

    /** The deepest chain of fields under {@code set}; adds every field met to {@code count[0]}. */
    private static int depth(SelectionSet set, Map<String, FragmentDefinition> fragments, int[] count) {
        if (set == null) return 0;
        int deepest = 0;
        for (Node<?> s : set.getSelections()) {
            int d = switch (s) {
                case Field f -> {
                    count[0]++;
                    yield 1 + depth(f.getSelectionSet(), fragments, count);
                }
                case InlineFragment i -> depth(i.getSelectionSet(), fragments, count);
                case FragmentSpread spread -> {
                    FragmentDefinition f = fragments.get(spread.getName());
                    yield f == null ? 0 : depth(f.getSelectionSet(), fragments, count);
                }
                default -> 0;
            };
            deepest = Math.max(deepest, d);
        }
        return deepest;
    }

    /**
     * Whether the operation asks for introspection only ({@code __schema}, {@code __type}, {@code __typename} at its
     * root): depth and complexity do not apply to it (a tool's standard introspection query is deeper than ten levels),
     * graphql-java's good-faith introspection check bounds it instead, and it runs only with {@code introspection: true}.
     */
    static boolean introspectionOnly(SelectionSet root) {
        for (Node<?> s : root.getSelections()) {
            if (!(s instanceof Field f) || !f.getName().startsWith("__")) return false;
        }
        return true;
    }

    /** Counts the aliased fields of the whole document (operations and fragments). */
    static int aliases(Document document) {
        int n = 0;
        for (var d : document.getDefinitions()) {
            if (d instanceof OperationDefinition o) n += aliases(o.getSelectionSet());
            else if (d instanceof FragmentDefinition f) n += aliases(f.getSelectionSet());
        }
        return n;
    }

    private static int aliases(SelectionSet set) {
        if (set == null) return 0;
        int n = 0;
        for (Node<?> s : set.getSelections()) {
            if (s instanceof Field f) {
                if (f.getAlias() != null) n++;
                n += aliases(f.getSelectionSet());
            } else if (s instanceof InlineFragment i) {
                n += aliases(i.getSelectionSet());
            }
        }
        return n;
    }

    private static GraphQLError error(String code, String message) {
        return GraphqlErrorBuilder.newError().message(message).errorType(ErrorType.ValidationError)
                .extensions(Map.of("code", code)).build();
    }

    private static AbortExecutionException abort(String code, String message) {
        return new AbortExecutionException(List.of(error(code, message)));
    }

    /** A GET runs queries only (GraphQL over HTTP): a mutation over GET is refused before anything runs. */
    private static final class GetOnlyQueries extends SimplePerformantInstrumentation {
        @Override
        public InstrumentationContext<graphql.ExecutionResult> beginExecuteOperation(
                InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
            var execution = parameters.getExecutionContext();
            if (Boolean.TRUE.equals(execution.getGraphQLContext().get(GET))
                    && execution.getOperationDefinition().getOperation() != OperationDefinition.Operation.QUERY) {
                throw abort(METHOD_NOT_ALLOWED, "a GET runs queries only: send mutations as a POST");
            }
            return super.beginExecuteOperation(parameters, state);
        }
    }
}
