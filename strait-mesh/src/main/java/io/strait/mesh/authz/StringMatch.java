package io.strait.mesh.authz;

import java.util.regex.Pattern;

/**
 * One value of a policy field as Istio writes it: exact, {@code prefix*}, {@code *suffix} or {@code *}, and for
 * paths an Envoy URI template with Istio's {@code {*}} and {@code {**}} operators. Compiled once; matching allocates
 * nothing except for a template (one regex matcher).
 *
 * <p>{@code *} alone: for principals, namespaces and paths Istio generates the regex {@code .+}, so the value must be
 * present and non-empty; for headers and methods it generates Envoy's {@code present_match}, so a header sent with an
 * empty value matches too ({@link #header}).
 */
record StringMatch(Kind kind, String text, Pattern template) {
    enum Kind { EXACT, PREFIX, SUFFIX, PRESENT, PRESENT_EVEN_EMPTY, TEMPLATE, SERVICE_ACCOUNT }

    /** Istio's {@code {*}}: one path segment (Envoy's {@code *}). */
    static final String MATCH_ONE = "{*}";
    /** Istio's {@code {**}}: zero or more characters across segments (Envoy's {@code **}); the last operator. */
    static final String MATCH_ANY = "{**}";
    /**
     * Envoy's path-template literal characters (RFC 3986 pchar without {@code *} and {@code =}), from
     * {@code uri_template_internal.cc}'s {@code kLiteral}: what {@code {*}} and {@code {**}} may match.
     */
    static final String PCHAR = "-A-Za-z0-9._~%!$&'()+,;:@";
    private static final Pattern LITERAL = Pattern.compile("[" + PCHAR + "]+");

    static StringMatch of(String value) {
        if (value.equals("*")) return new StringMatch(Kind.PRESENT, "", null);
        if (value.startsWith("*")) return new StringMatch(Kind.SUFFIX, value.substring(1), null);
        if (value.endsWith("*")) return new StringMatch(Kind.PREFIX, value.substring(0, value.length() - 1), null);
        return new StringMatch(Kind.EXACT, value, null);
    }

    /** A header or method value: as {@link #of}, except that {@code *} only asks for the header to be sent. */
    static StringMatch header(String value) {
        return value.equals("*") ? new StringMatch(Kind.PRESENT_EVEN_EMPTY, "", null) : of(value);
    }

    /** A qualified service account ({@code ns/account}), matched against a principal ({@link ServiceAccounts}). */
    static StringMatch serviceAccount(String qualified) {
        return new StringMatch(Kind.SERVICE_ACCOUNT, ServiceAccounts.principalSuffix(qualified), null);
    }

    /** A path value: a template when it holds {@code {*}} or {@code {**}} (check it with {@link #templateProblem}). */
    static StringMatch path(String value) {
        if (!isTemplate(value)) return of(value);
        StringBuilder regex = new StringBuilder();
        for (String segment : value.substring(1).split("/", -1)) {
            regex.append('/');
            if (segment.equals(MATCH_ONE)) regex.append('[').append(PCHAR).append("]+");
            else if (segment.equals(MATCH_ANY)) regex.append('[').append(PCHAR).append("/]*");
            else if (!segment.isEmpty()) regex.append(Pattern.quote(segment));
        }
        return new StringMatch(Kind.TEMPLATE, value, Pattern.compile(regex.toString()));
    }

    static boolean isTemplate(String value) {
        return value.contains(MATCH_ONE) || value.contains(MATCH_ANY);
    }

    /**
     * What is wrong with a path template, or null; Istio's {@code CheckValidPathTemplate} rules plus Envoy's leading
     * {@code /}: every segment is {@code {*}}, {@code {**}} or literal characters; {@code {**}} is the last operator.
     */
    static String templateProblem(String value) {
        if (!value.startsWith("/")) return "a path template must start with '/'";
        boolean any = false;
        String[] segments = value.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (s.equals(MATCH_ONE) || s.equals(MATCH_ANY)) {
                if (any) return "{**} must be the last operator of a path template";
                any = s.equals(MATCH_ANY);
            } else if (s.isEmpty() ? i != segments.length - 1 : !LITERAL.matcher(s).matches()) {
                return "segment '" + s + "' of a path template must be {*}, {**} or literal characters"
                        + " (no '*', '{', '}', '=' or empty segments)";
            }
        }
        return null;
    }

    /** Whether {@code value} matches; an absent (null) value matches nothing, not even {@code *}. */
    boolean matches(String value) {
        if (value == null) return false;
        return switch (kind) {
            case EXACT -> value.equals(text);
            case PREFIX -> value.startsWith(text);
            case SUFFIX -> value.endsWith(text);
            case PRESENT -> !value.isEmpty();
            case PRESENT_EVEN_EMPTY -> true;
            case TEMPLATE -> template.matcher(value).matches();
            case SERVICE_ACCOUNT -> ServiceAccounts.matches(value, text);
        };
    }

    /** Whether any of {@code matches} matches {@code value}. */
    static boolean any(StringMatch[] matches, String value) {
        for (StringMatch m : matches) {
            if (m.matches(value)) return true;
        }
        return false;
    }
}
