package io.strait.gateway.graphql;

import graphql.ErrorType;
import graphql.ExecutionInput;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.AbortExecutionException;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.InlineFragment;
import graphql.language.Node;
import graphql.language.OperationDefinition;
import graphql.language.SelectionSet;
import graphql.parser.ParserOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The limits every query keeps ({@link GraphqlConfig.Limits}), each refused with a GraphQL error whose
 * {@code extensions.code} names it: tokens by the parser ({@link ParserOptions#getMaxTokens()}:
 * {@code GRAPHQL_PARSE_FAILED}), aliases when the document is parsed ({@value #TOO_MANY_ALIASES}), depth and
 * complexity before execution (graphql-java's instrumentations: {@value #TOO_DEEP}, {@value #TOO_COMPLEX}), and
 * a GET that asks for a mutation ({@value #METHOD_NOT_ALLOWED}). An introspection-only operation is exempt from depth
 * and complexity ({@link #introspectionOnly}). Parsed and validated documents are cached by
 * their text (bounded), so a repeated query is neither parsed nor validated again.
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

    private final GraphqlConfig.Limits limits;
    private final ParserOptions parserOptions;
    private final BoundedCache<String, PreparsedDocumentEntry> documents = new BoundedCache<>(DOCUMENT_CACHE_SIZE);

    QueryLimits(GraphqlConfig.Limits limits) {
        this.limits = limits;
        this.parserOptions = ParserOptions.getDefaultOperationParserOptions().transform(b -> b.maxTokens(limits.maxTokens()));
    }

    /** The parser's options (the token limit), for the request's GraphQL context. */
    ParserOptions parserOptions() {
        return parserOptions;
    }

    /** Parses and validates once per distinct text; counts aliases. */
    PreparsedDocumentProvider documents() {
        return (ExecutionInput input, Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) -> {
            PreparsedDocumentEntry cached = documents.get(input.getQuery());
            if (cached != null) return CompletableFuture.completedFuture(cached);
            PreparsedDocumentEntry entry = parseAndValidate.apply(input);
            if (!entry.hasErrors()) {
                int aliases = aliases(entry.getDocument());
                if (aliases > limits.maxAliases()) {
                    entry = new PreparsedDocumentEntry(error(TOO_MANY_ALIASES,
                            "the query has " + aliases + " aliases; the limit is " + limits.maxAliases()));
                }
                documents.put(input.getQuery(), entry);
            }
            return CompletableFuture.completedFuture(entry);
        };
    }

    /** Depth, complexity (1 per field) and GET-only-queries, before any field is fetched. */
    Instrumentation instrumentation() {
        int maxDepth = limits.maxDepth();
        int maxComplexity = limits.maxComplexity();
        MaxQueryDepthInstrumentation depth = new MaxQueryDepthInstrumentation(maxDepth, info -> {
            throw abort(TOO_DEEP, "the query is " + info.getDepth() + " levels deep; the limit is " + maxDepth);
        }) {
            @Override
            public InstrumentationContext<graphql.ExecutionResult> beginExecuteOperation(
                    InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
                return introspectionOnly(parameters) ? SimpleInstrumentationContext.noOp() : super.beginExecuteOperation(parameters, state);
            }
        };
        MaxQueryComplexityInstrumentation complexity = new MaxQueryComplexityInstrumentation(maxComplexity, info -> {
            throw abort(TOO_COMPLEX, "the query selects " + info.getComplexity() + " fields; the limit is " + maxComplexity);
        }) {
            @Override
            public InstrumentationContext<graphql.ExecutionResult> beginExecuteOperation(
                    InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
                return introspectionOnly(parameters) ? SimpleInstrumentationContext.noOp() : super.beginExecuteOperation(parameters, state);
            }
        };
        return new ChainedInstrumentation(List.of(new GetOnlyQueries(), depth, complexity));
    }

    /**
     * Whether the operation asks for introspection only ({@code __schema}, {@code __type}, {@code __typename} at its
     * root): depth and complexity do not apply to it (a tool's standard introspection query is deeper than ten levels),
     * graphql-java's good-faith introspection check bounds it instead, and it runs only with {@code introspection: true}.
     */
    static boolean introspectionOnly(InstrumentationExecuteOperationParameters parameters) {
        for (Node<?> s : parameters.getExecutionContext().getOperationDefinition().getSelectionSet().getSelections()) {
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
