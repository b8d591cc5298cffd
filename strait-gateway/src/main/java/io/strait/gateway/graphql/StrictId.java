package io.strait.gateway.graphql;

import graphql.GraphQLContext;
import graphql.Scalars;
import graphql.execution.CoercedVariables;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseValueException;
import graphql.schema.GraphQLScalarType;
import java.math.BigInteger;
import java.util.Locale;

/**
 * The {@code ID} scalar with the input coercion the GraphQL spec gives it: a variable's value is a string or an
 * integer. graphql-java's own {@code ID} makes text of any value ({@code {"id": {"a": 1}}} became the ID
 * {@code {a=1}}, {@code true} the ID {@code true}); this one refuses the rest, so a variable of the wrong type is
 * the {@code GRAPHQL_VALIDATION_FAILED} error the guide promises, and no call goes out. Output and literals are
 * graphql-java's.
 */
final class StrictId {
    static final GraphQLScalarType ID = GraphQLScalarType.newScalar(Scalars.GraphQLID).coercing(new Input()).build();

    private StrictId() {}

    private static final class Input implements Coercing<Object, Object> {
        @SuppressWarnings("unchecked")
        private static final Coercing<Object, Object> BUILT_IN = (Coercing<Object, Object>) Scalars.GraphQLID.getCoercing();

        @Override
        public Object serialize(Object result, GraphQLContext context, Locale locale) {
            return BUILT_IN.serialize(result, context, locale);
        }

        @Override
        public Object parseValue(Object input, GraphQLContext context, Locale locale) {
            if (input instanceof String || input instanceof Integer || input instanceof Long || input instanceof BigInteger) {
                return BUILT_IN.parseValue(input, context, locale);
            }
            throw new CoercingParseValueException("an ID is a string or an integer, not "
                    + (input instanceof java.util.Map ? "an object" : input instanceof java.util.List ? "a list"
                    : input instanceof Boolean ? "a boolean" : "a number with a fraction"));
        }

        @Override
        public Object parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
            return BUILT_IN.parseLiteral(input, variables, context, locale);
        }

        @Override
        public Value<?> valueToLiteral(Object input, GraphQLContext context, Locale locale) {
            return BUILT_IN.valueToLiteral(input, context, locale);
        }
    }
}
