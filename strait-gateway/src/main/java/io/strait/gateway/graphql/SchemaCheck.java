package io.strait.gateway.graphql;

import graphql.language.FieldDefinition;
import graphql.language.InputValueDefinition;
import graphql.language.ObjectTypeDefinition;
import graphql.language.TypeDefinition;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;
import graphql.schema.idl.errors.SchemaProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a schema and its resolver mapping at load: the SDL parses and builds, every mapped field exists on an
 * object type, and every {@code {args.NAME}} is an argument of its field.
 */
final class SchemaCheck {
    private SchemaCheck() {}

    /** One problem: the field inside the filter's settings ({@code schemaFile}, {@code resolvers.Order.user.path}) and what. */
    record Problem(String field, String message) {}

    /** The schema's type registry, or null with a problem added when the SDL does not parse or build. */
    static TypeDefinitionRegistry parse(String sdl, List<Problem> problems) {
        try {
            TypeDefinitionRegistry types = new SchemaParser().parse(sdl);
            build(types, RuntimeWiring.newRuntimeWiring().build());
            return types;
        } catch (SchemaProblem e) {
            problems.add(new Problem("schemaFile", "not a valid schema: " + summary(e)));
        } catch (RuntimeException e) {
            problems.add(new Problem("schemaFile", "not a valid schema: " + e.getMessage()));
        }
        return null;
    }

    static GraphQLSchema build(TypeDefinitionRegistry types, RuntimeWiring wiring) {
        return new SchemaGenerator().makeExecutableSchema(types, wiring);
    }

    private static String summary(SchemaProblem e) {
        List<String> out = new ArrayList<>();
        e.getErrors().forEach(err -> out.add(err.getMessage()));
        return String.join("; ", out);
    }

    /** Every problem of {@code resolvers} (by {@code Type.field}) against {@code types}. */
    static List<Problem> resolvers(TypeDefinitionRegistry types, Map<String, ResolverSpec> resolvers) {
        List<Problem> out = new ArrayList<>();
        for (Map.Entry<String, ResolverSpec> e : resolvers.entrySet()) {
            ResolverSpec r = e.getValue();
            String p = "resolvers." + e.getKey();
            Optional<TypeDefinition> t = types.getType(r.type());
            if (t.isEmpty() && types.scalars().containsKey(r.type())) {
                out.add(new Problem(p, r.type() + " is not an object type: only object types' fields resolve"));
                continue;
            }
            if (t.isEmpty()) {
                out.add(new Problem(p, "the schema has no type " + r.type()));
                continue;
            }
            if (!(t.get() instanceof ObjectTypeDefinition object)) {
                out.add(new Problem(p, r.type() + " is not an object type: only object types' fields resolve"));
                continue;
            }
            FieldDefinition field = fields(types, object).stream().filter(f -> f.getName().equals(r.field())).findFirst().orElse(null);
            if (field == null) {
                out.add(new Problem(p, "the schema's type " + r.type() + " has no field " + r.field()));
                continue;
            }
            List<String> args = field.getInputValueDefinitions().stream().map(InputValueDefinition::getName).toList();
            check(out, p + ".path", r.path(), args, r);
            r.query().forEach((name, tpl) -> check(out, p + ".query." + name, tpl, args, r));
        }
        return out;
    }

    /** The type's fields with those of its {@code extend type} definitions. */
    private static List<FieldDefinition> fields(TypeDefinitionRegistry types, ObjectTypeDefinition object) {
        List<FieldDefinition> all = new ArrayList<>(object.getFieldDefinitions());
        types.objectTypeExtensions().getOrDefault(object.getName(), List.of()).forEach(x -> all.addAll(x.getFieldDefinitions()));
        return all;
    }

    private static void check(List<Problem> out, String path, UrlTemplate tpl, List<String> args, ResolverSpec r) {
        for (UrlTemplate.Part part : tpl.parts()) {
            if (part instanceof UrlTemplate.Arg a && !args.contains(a.name())) {
                out.add(new Problem(path, "{args." + a.name() + "}: " + r.coordinates() + " has no argument " + a.name()
                        + (args.isEmpty() ? "" : " (it has " + String.join(", ", args) + ")")));
            }
        }
    }
}
