package io.strait.filters.cors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Whether a request's {@code Origin} is one of the allowed: exact origins in a hash set (compared
 * case-insensitively, as browsers serialize scheme and host in lower case), then wildcard patterns
 * ({@code https://*.example.com}: one or more labels before {@code .example.com}, never the bare domain;
 * {@code http://localhost:*}: any port), then {@code regex:} patterns (Java syntax, whole origin). Built
 * once per filter at load; no regular expression runs unless the configuration has a {@code regex:} entry.
 */
final class OriginMatcher {
    /** The prefix of an origin written as a regular expression (Kong's origins are regexes; ours say so). */
    static final String REGEX_PREFIX = "regex:";

    /** A wildcard pattern: scheme, host suffix (".example.com") or exact host, and port (-1 none, 0 any). */
    private record Wildcard(String scheme, String hostSuffix, String host, int port) {
        boolean matches(String scheme, String host, int port) {
            if (!this.scheme.equals(scheme)) return false;
            if (this.port == 0 ? false : this.port != port) return false;
            if (hostSuffix == null) return this.host.equals(host);
            return host.length() > hostSuffix.length() && host.endsWith(hostSuffix) && host.charAt(0) != '.';
        }
    }

    private final Set<String> exact = new HashSet<>();
    private final List<Wildcard> wildcards = new ArrayList<>();
    private final List<Pattern> regexes = new ArrayList<>();

    /** The matcher of {@code origins}, each valid ({@link #check} returned null for it). */
    OriginMatcher(List<String> origins) {
        for (String o : origins) {
            if (o.startsWith(REGEX_PREFIX)) {
                regexes.add(Pattern.compile(o.substring(REGEX_PREFIX.length())));
            } else if (o.contains("*")) {
                wildcards.add(wildcard(o.toLowerCase(Locale.ROOT)));
            } else {
                exact.add(o.toLowerCase(Locale.ROOT));
            }
        }
    }

    boolean matches(String origin) {
        String lower = origin.toLowerCase(Locale.ROOT);
        if (exact.contains(lower)) return true;
        if (!wildcards.isEmpty()) {
            int sep = lower.indexOf("://");
            if (sep > 0) {
                String scheme = lower.substring(0, sep);
                String authority = lower.substring(sep + 3);
                int colon = authority.lastIndexOf(':');
                boolean bracketed = authority.endsWith("]"); // an IPv6 literal without a port
                String host = colon < 0 || bracketed ? authority : authority.substring(0, colon);
                int port = colon < 0 || bracketed ? -1 : parsePort(authority.substring(colon + 1));
                if (port != -2) {
                    for (Wildcard w : wildcards) {
                        if (w.matches(scheme, host, port)) return true;
                    }
                }
            }
        }
        for (Pattern p : regexes) {
            if (p.matcher(origin).matches()) return true;
        }
        return false;
    }

    /** A port's digits as a number, -2 when they are not a port. */
    private static int parsePort(String digits) {
        if (digits.isEmpty() || digits.length() > 5) return -2;
        int p = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') return -2;
            p = p * 10 + (c - '0');
        }
        return p >= 1 && p <= 65535 ? p : -2;
    }

    /**
     * Why {@code origin} cannot be an entry of {@code allowOrigins}, or null when it can. An origin is
     * {@code scheme://host[:port]} with no path; a wildcard is a leading {@code *.} label and/or a
     * {@code :*} port.
     */
    static String check(String origin) {
        if (origin.startsWith(REGEX_PREFIX)) {
            try {
                Pattern.compile(origin.substring(REGEX_PREFIX.length()));
                return origin.length() == REGEX_PREFIX.length() ? "an empty regex" : null;
            } catch (PatternSyntaxException e) {
                return "is not a valid regular expression: " + e.getDescription();
            }
        }
        if (origin.equalsIgnoreCase("null")) {
            return "the 'null' origin is sent by sandboxed frames and file: pages: allowing it lets any of them call";
        }
        int sep = origin.indexOf("://");
        if (sep <= 0 || !origin.substring(0, sep).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            return "must be an origin such as https://app.example.com (scheme://host[:port]), https://*.example.com, or regex:PATTERN";
        }
        String authority = origin.substring(sep + 3);
        if (authority.isEmpty() || authority.contains("/") || authority.contains("?") || authority.contains("#")) {
            return "an origin has no path: write scheme://host[:port] (was '" + origin + "')";
        }
        if (authority.contains("@")) return "an origin has no user info (was '" + origin + "')";
        int colon = authority.lastIndexOf(':');
        String host = colon < 0 || authority.endsWith("]") ? authority : authority.substring(0, colon);
        if (colon >= 0 && !authority.endsWith("]")) {
            String port = authority.substring(colon + 1);
            if (!port.equals("*") && parsePort(port) < 0) return "has an invalid port '" + port + "'";
        }
        String bare = host.startsWith("*.") ? host.substring(2) : host;
        if (bare.contains("*")) {
            return "a wildcard stands only for the leftmost labels ('*.example.com') or the port (':*'); use regex: for more";
        }
        if (bare.isEmpty() || bare.startsWith(".") || bare.endsWith(".")) return "has no host (was '" + origin + "')";
        return null;
    }

    private static Wildcard wildcard(String pattern) {
        int sep = pattern.indexOf("://");
        String scheme = pattern.substring(0, sep);
        String authority = pattern.substring(sep + 3);
        int colon = authority.lastIndexOf(':');
        String host = colon < 0 || authority.endsWith("]") ? authority : authority.substring(0, colon);
        int port = colon < 0 || authority.endsWith("]") ? -1 : authority.substring(colon + 1).equals("*") ? 0
                : parsePort(authority.substring(colon + 1));
        return host.startsWith("*.") ? new Wildcard(scheme, host.substring(1), null, port) : new Wildcard(scheme, null, host, port);
    }
}
