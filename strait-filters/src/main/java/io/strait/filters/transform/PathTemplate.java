package io.strait.filters.transform;

import io.strait.proxy.filter.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A new path written with the route's path template captures, {@code /internal/users/{id}}, parsed once at load
 * into literal and capture parts. Captures are the segments the route matched, still percent-encoded, so the
 * path built is as well formed as the client's.
 */
final class PathTemplate {
    private final String[] literals;
    private final String[] captures;

    private PathTemplate(List<String> literals, List<String> captures) {
        this.literals = literals.toArray(new String[0]);
        this.captures = captures.toArray(new String[0]);
    }

    /** Parses a template; the exception's message says what is wrong. */
    static PathTemplate parse(String template) {
        if (!template.startsWith("/")) throw new IllegalArgumentException("must start with '/'");
        List<String> literals = new ArrayList<>();
        List<String> captures = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '}') throw new IllegalArgumentException("a '}' at " + i + " closes no {capture}");
            if (c != '{') {
                literal.append(c);
                i++;
                continue;
            }
            int end = template.indexOf('}', i);
            if (end < 0) throw new IllegalArgumentException("a '{' at " + i + " is never closed");
            String name = template.substring(i + 1, end);
            if (name.isEmpty() || !name.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
                throw new IllegalArgumentException("{" + name + "} is not a capture name (letters, digits, _)");
            }
            literals.add(literal.toString());
            literal.setLength(0);
            captures.add(name);
            i = end + 1;
        }
        literals.add(literal.toString());
        for (String l : literals) {
            String problem = literalProblem(l);
            if (problem != null) throw new IllegalArgumentException(problem);
        }
        return new PathTemplate(literals, captures);
    }

    /** The capture names, in order of first use. */
    Set<String> captures() {
        return new LinkedHashSet<>(List.of(captures));
    }

    /** The path for this request; null when a capture has no value (the route did not match by its template). */
    String render(RequestContext ctx) {
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < captures.length; i++) {
            sb.append(literals[i]);
            String v = ctx.pathParams().get(captures[i]);
            if (v == null) return null;
            sb.append(v);
        }
        return sb.append(literals[captures.length]).toString();
    }

    /**
     * What is wrong with literal path text, or null: only the characters of an RFC 3986 path (unreserved,
     * sub-delims, {@code : @ /}) and {@code %} escapes of two hex digits.
     */
    static String literalProblem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                    return "a '%' at " + i + " is not a %XX escape";
                }
                i += 2;
            } else if (!pathChar(c)) {
                return String.format("a path cannot hold the character U+%04X (at %d): percent-encode it", (int) c, i);
            }
        }
        return null;
    }

    private static boolean pathChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0;
    }
}
