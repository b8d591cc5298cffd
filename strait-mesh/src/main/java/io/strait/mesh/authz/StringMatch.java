package io.strait.mesh.authz;

/**
 * One value of a policy field as Istio writes it: exact, {@code prefix*}, {@code *suffix} or {@code *}
 * (which requires the value to be present). Compiled once; matching allocates nothing.
 */
record StringMatch(Kind kind, String text) {
    enum Kind { EXACT, PREFIX, SUFFIX, PRESENT }

    static StringMatch of(String value) {
        if (value.equals("*")) return new StringMatch(Kind.PRESENT, "");
        if (value.endsWith("*")) return new StringMatch(Kind.PREFIX, value.substring(0, value.length() - 1));
        if (value.startsWith("*")) return new StringMatch(Kind.SUFFIX, value.substring(1));
        return new StringMatch(Kind.EXACT, value);
    }

    /** Whether {@code value} matches; an absent (null) value matches nothing, not even {@code *}. */
    boolean matches(String value) {
        if (value == null) return false;
        return switch (kind) {
            case EXACT -> value.equals(text);
            case PREFIX -> value.startsWith(text);
            case SUFFIX -> value.endsWith(text);
            case PRESENT -> !value.isEmpty();
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
