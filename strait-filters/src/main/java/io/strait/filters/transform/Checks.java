package io.strait.filters.transform;

import io.strait.config.model.FilterConfig.Problem;
import io.strait.filters.HttpSyntax;
import io.strait.filters.headers.HeadersReader;
import io.strait.filters.headers.ValueTemplate;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The checks of a {@link TransformConfig}'s parts, shared by {@link TransformReader} (which reports them at the
 * file's paths) and {@link TransformConfig#problems()} (a record built by code). Each adds problems at
 * {@code at.FIELD}, worded as the reader words them.
 */
final class Checks {
    /**
     * The largest {@code maxSize}: a body is one buffer (and a tree several times its size) held per request; a
     * JSON document beyond this is a bulk transfer, not an API payload to reshape.
     */
    static final long MAX_BODY_SIZE = 64L * 1024 * 1024;
    /** Methods a transform cannot give a request: their responses or connections differ in kind (RFC 9110 9.3). */
    static final Set<String> FIXED_METHODS = Set.of("HEAD", "CONNECT", "TRACE");
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,20}");
    /** A group reference in a replacement: {@code $1}, {@code ${name}}, or a backslash escape. */
    private static final Pattern GROUP_REF = Pattern.compile("\\\\.|\\$(\\d+)|\\$\\{([A-Za-z][A-Za-z0-9]*)}|\\$");
    private static final String NAME = TransformFactory.NAME;

    private Checks() {}

    static void headers(String at, TransformConfig.Ops ops, List<Problem> out) {
        if (ops == null) return;
        names(at + ".remove", ops.remove(), true, true, out);
        names(at + ".rename", List.copyOf(ops.rename().keySet()), false, true, out);
        ops.rename().forEach((from, to) -> {
            String problem = HeadersReader.nameProblem(to, NAME);
            if (problem != null) out.add(new Problem(at + ".rename." + from, problem));
        });
        for (String verb : List.of("replace", "add", "append")) {
            Map<String, ValueTemplate> values = values(ops, verb);
            names(at + "." + verb, List.copyOf(values.keySet()), false, true, out);
            values.forEach((name, v) -> {
                String s = v.source();
                int bad = HttpSyntax.invalidValueChar(s);
                if (s.isEmpty()) out.add(new Problem(at + "." + verb + "." + name, "must not be empty (to drop a header, list it in remove)"));
                else if (bad >= 0) {
                    out.add(new Problem(at + "." + verb + "." + name,
                            String.format("a header value cannot hold the character U+%04X (at %d)", (int) s.charAt(bad), bad)));
                }
            });
        }
    }

    static void query(String at, TransformConfig.Ops ops, List<Problem> out) {
        if (ops == null) return;
        names(at + ".remove", ops.remove(), true, false, out);
        names(at + ".rename", List.copyOf(ops.rename().keySet()), false, false, out);
        ops.rename().forEach((from, to) -> {
            if (to.isEmpty()) out.add(new Problem(at + ".rename." + from, "must name a parameter"));
        });
        for (String verb : List.of("replace", "add", "append")) names(at + "." + verb, List.copyOf(values(ops, verb).keySet()), false, false, out);
    }

    static void body(String at, TransformConfig.Body body, List<Problem> out) {
        if (body.maxSize() <= 0 || body.maxSize() > MAX_BODY_SIZE) {
            out.add(new Problem(at + ".maxSize", "must be between 1 byte and 64MiB (was " + body.maxSize() + ")"));
        }
        TransformConfig.Ops ops = body.ops();
        for (int i = 0; i < ops.remove().size(); i++) pointer(at + ".remove[" + i + "]", ops.remove().get(i), false, out);
        ops.rename().forEach((from, to) -> {
            if (pointer(at + ".rename." + from, from, false, out) && pointer(at + ".rename." + from, to, true, out)
                    && (to.equals(from) || to.startsWith(from + "/"))) {
                out.add(new Problem(at + ".rename." + from, "cannot move a value to itself or inside itself (" + to + ")"));
            }
        });
        ops.replace().keySet().forEach(p -> pointer(at + ".replace." + p, p, false, out));
        ops.add().keySet().forEach(p -> pointer(at + ".add." + p, p, true, out));
        ops.append().keySet().forEach(p -> {
            if (pointer(at + ".append." + p, p, true, out) && p.endsWith("/-")) {
                out.add(new Problem(at + ".append." + p, "append adds to the array the pointer names: write " + p.substring(0, p.length() - 2)));
            }
        });
    }

    /** Checks a pointer; {@code endAllowed}: whether it may end at {@code -}. False after a problem. */
    private static boolean pointer(String at, String text, boolean endAllowed, List<Problem> out) {
        try {
            JsonPointer p = JsonPointer.parse(text);
            if (!endAllowed && p.endsAtArrayEnd()) {
                out.add(new Problem(at, "'-' names no element yet: only add (and a rename's target) can use it"));
                return false;
            }
            return true;
        } catch (IllegalArgumentException e) {
            out.add(new Problem(at, e.getMessage()));
            return false;
        }
    }

    static void method(String at, String method, List<Problem> out) {
        if (!METHOD.matcher(method).matches()) {
            out.add(new Problem(at, "'" + method + "' is not a method: upper-case letters, e.g. POST"));
        } else if (FIXED_METHODS.contains(method)) {
            out.add(new Problem(at, "a request cannot be made a " + method + " (its response or connection is of another kind)"));
        }
    }

    static void path(String at, TransformConfig.PathRewrite path, List<Problem> out) {
        if ((path.template() == null) == (path.regex() == null)) {
            out.add(new Problem(at, "give template, or regex with replacement, e.g. {template: \"/internal/users/{id}\"}"));
            return;
        }
        if (path.template() != null) {
            if (path.replacement() != null) out.add(new Problem(at + ".replacement", "goes with regex, not template"));
            try {
                PathTemplate.parse(path.template());
            } catch (IllegalArgumentException e) {
                out.add(new Problem(at + ".template", e.getMessage()));
            }
            return;
        }
        Pattern p;
        try {
            p = Pattern.compile(path.regex());
        } catch (PatternSyntaxException e) {
            out.add(new Problem(at + ".regex", "is not a regular expression: " + e.getDescription() + " (at " + e.getIndex() + ")"));
            return;
        }
        String r = path.replacement();
        if (r == null) {
            out.add(new Problem(at + ".replacement", "is required with regex, e.g. \"/v1/$1\""));
            return;
        }
        if (!r.startsWith("/")) out.add(new Problem(at + ".replacement", "must start with '/' (it begins the new path)"));
        String problem = replacementProblem(p, r);
        if (problem != null) out.add(new Problem(at + ".replacement", problem));
    }

    /** What is wrong with a replacement's group references and text, or null. */
    private static String replacementProblem(Pattern p, String replacement) {
        int groups = p.matcher("").groupCount();
        Matcher m = GROUP_REF.matcher(replacement);
        StringBuilder literal = new StringBuilder();
        int last = 0;
        while (m.find()) {
            literal.append(replacement, last, m.start());
            last = m.end();
            if (m.group().startsWith("\\")) {
                literal.append(m.group().charAt(1));
            } else if (m.group(1) != null) {
                if (Integer.parseInt(m.group(1)) > groups) return "$" + m.group(1) + ": the regex has " + groups + " group(s)";
            } else if (m.group(2) != null) {
                if (!p.namedGroups().containsKey(m.group(2))) return "${" + m.group(2) + "}: the regex has no group of that name";
            } else {
                return "a '$' that is no group reference ($1, ${name}); write \\$ for a literal $";
            }
        }
        literal.append(replacement.substring(last));
        return PathTemplate.literalProblem(literal.toString());
    }

    private static Map<String, ValueTemplate> values(TransformConfig.Ops ops, String verb) {
        return switch (verb) {
            case "replace" -> ops.replace();
            case "add" -> ops.add();
            default -> ops.append();
        };
    }

    /** Names given to a verb: header names (tokens, not the proxy's) or parameter names (not empty); none twice. */
    private static void names(String verb, List<String> names, boolean indexed, boolean headers, List<Problem> out) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String at = indexed ? verb + "[" + i + "]" : verb + "." + name;
            String problem = headers ? HeadersReader.nameProblem(name, NAME) : name.isEmpty() ? "must name a parameter" : null;
            String key = headers ? name.toLowerCase(Locale.ROOT) : name;
            if (problem == null && !seen.add(key)) {
                problem = headers ? "is given twice (header names are case-insensitive)" : "is given twice";
            }
            if (problem != null) out.add(new Problem(at, problem));
        }
    }
}
