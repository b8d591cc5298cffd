package io.strait.mesh.authz;

import io.strait.mesh.authz.AuthorizationPolicy.Condition;
import io.strait.mesh.authz.AuthorizationPolicy.Operation;
import io.strait.mesh.authz.AuthorizationPolicy.Rule;
import io.strait.mesh.authz.AuthorizationPolicy.Source;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A rule compiled once into arrays of {@link StringMatch}: {@code from}, {@code to} and {@code when} ANDed,
 * entries of each ORed, values of a field ORed, {@code not*} values excluding. An absent attribute (no principal on
 * a plaintext call, a missing header) matches no positive value and is excluded by no negative one, as in Istio.
 */
final class CompiledRule {
    private final Field[][] from;
    private final Field[][] to;
    private final Field[] when;

    /** One attribute constrained by values (any must match, when there are any) and notValues (none may match). */
    private record Field(Attr attr, String header, StringMatch[] values, StringMatch[] notValues) {
        boolean matches(RequestAttributes req) {
            String v = switch (attr) {
                case PRINCIPAL -> req.peer().principal();
                case NAMESPACE -> req.peer().namespace();
                case METHOD -> req.method();
                case PATH -> req.path();
                case HEADER -> req.header(header);
            };
            if (values.length > 0 && !StringMatch.any(values, v)) return false;
            return notValues.length == 0 || !StringMatch.any(notValues, v);
        }
    }

    private enum Attr { PRINCIPAL, NAMESPACE, METHOD, PATH, HEADER }

    CompiledRule(Rule rule) {
        from = rule.from().stream().map(CompiledRule::source).toArray(Field[][]::new);
        to = rule.to().stream().map(CompiledRule::operation).toArray(Field[][]::new);
        when = rule.when().stream().map(CompiledRule::condition).toArray(Field[]::new);
    }

    boolean matches(RequestAttributes req) {
        return anyEntry(from, req) && anyEntry(to, req) && all(when, req);
    }

    private static boolean anyEntry(Field[][] entries, RequestAttributes req) {
        if (entries.length == 0) return true;
        for (Field[] entry : entries) {
            if (all(entry, req)) return true;
        }
        return false;
    }

    private static boolean all(Field[] fields, RequestAttributes req) {
        for (Field f : fields) {
            if (!f.matches(req)) return false;
        }
        return true;
    }

    private static Field[] source(Source s) {
        return new Field[] {
            field(Attr.PRINCIPAL, null, principals(s.principals()), principals(s.notPrincipals())),
            field(Attr.NAMESPACE, null, s.namespaces(), s.notNamespaces()),
            new Field(Attr.PRINCIPAL, null, compile(s.serviceAccounts(), StringMatch::serviceAccount),
                    compile(s.notServiceAccounts(), StringMatch::serviceAccount))};
    }

    private static Field[] operation(Operation o) {
        return new Field[] {
            new Field(Attr.METHOD, null, compile(o.methods(), StringMatch::header), compile(o.notMethods(), StringMatch::header)),
            new Field(Attr.PATH, null, compile(o.paths(), StringMatch::path), compile(o.notPaths(), StringMatch::path))};
    }

    private static Field condition(Condition c) {
        return switch (c.key()) {
            case "source.principal" -> field(Attr.PRINCIPAL, null, principals(c.values()), principals(c.notValues()));
            case "source.namespace" -> field(Attr.NAMESPACE, null, c.values(), c.notValues());
            case "source.serviceAccount" -> new Field(Attr.PRINCIPAL, null, compile(c.values(), StringMatch::serviceAccount),
                    compile(c.notValues(), StringMatch::serviceAccount));
            default -> {
                String name = c.key().substring("request.headers[".length(), c.key().length() - 1);
                yield new Field(Attr.HEADER, name.toLowerCase(Locale.ROOT), compile(c.values(), StringMatch::header),
                        compile(c.notValues(), StringMatch::header));
            }
        };
    }

    /** Principals may be written as SPIFFE IDs too: compared without {@code spiffe://}. */
    private static List<String> principals(List<String> values) {
        return values.stream().map(Peer::principalOf).toList();
    }

    private static Field field(Attr attr, String header, List<String> values, List<String> notValues) {
        return new Field(attr, header, compile(values), compile(notValues));
    }

    private static StringMatch[] compile(List<String> values) {
        return compile(values, StringMatch::of);
    }

    private static StringMatch[] compile(List<String> values, Function<String, StringMatch> how) {
        return values.stream().map(how).toArray(StringMatch[]::new);
    }
}
