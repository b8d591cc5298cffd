package io.strait.proxy.route;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.strait.config.model.RouteMatch.ValueMatch;
import java.util.regex.Pattern;

/**
 * A compiled header, query or cookie condition. EXACT, PREFIX and REGEX (a full match) look at the first value;
 * PRESENT and ABSENT only at presence.
 */
final class ValueCondition {
    private final String name;
    private final AsciiString headerName;
    private final ValueMatch.Op op;
    private final String value;
    private final Pattern pattern;

    ValueCondition(ValueMatch m) {
        name = m.name();
        headerName = AsciiString.cached(m.name());
        op = m.op();
        value = m.value();
        pattern = op == ValueMatch.Op.REGEX ? Pattern.compile(m.value()) : null;
    }

    boolean testHeader(HttpHeaders headers) {
        return switch (op) {
            case PRESENT -> headers.contains(headerName);
            case ABSENT -> !headers.contains(headerName);
            default -> testValue(headers.get(headerName));
        };
    }

    boolean testQuery(String rawQuery) {
        int at = QueryStrings.find(rawQuery, name);
        return switch (op) {
            case PRESENT -> at >= 0;
            case ABSENT -> at < 0;
            default -> at >= 0 && testValue(QueryStrings.valueAt(rawQuery, at));
        };
    }

    /** Cookie names are case-sensitive; see {@link Cookies} for how the {@code Cookie} headers are read. */
    boolean testCookie(HttpHeaders headers) {
        String actual = Cookies.find(headers, name);
        return switch (op) {
            case PRESENT -> actual != null;
            case ABSENT -> actual == null;
            default -> testValue(actual);
        };
    }

    private boolean testValue(String actual) {
        if (actual == null) return false;
        return switch (op) {
            case EXACT -> actual.equals(value);
            case PREFIX -> actual.startsWith(value);
            case REGEX -> pattern.matcher(actual).matches();
            case PRESENT, ABSENT -> true;
        };
    }
}
