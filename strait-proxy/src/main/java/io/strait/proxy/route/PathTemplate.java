package io.strait.proxy.route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed path template such as {@code /users/{id}/files/{**}}: literal segments, {@code {name}} matching one
 * non-empty segment, and a final {@code {**}} matching the rest (zero or more segments, captured as {@code **}).
 */
final class PathTemplate {
    /** The parameter name under which a final {@code {**}} captures the rest of the path. */
    static final String REST = "**";

    /** One segment before any catch-all: literal text, or a parameter's name. */
    record Segment(String text, boolean param) {}

    private final List<Segment> segments;
    private final boolean catchAll;
    private final int literalCount;

    private PathTemplate(List<Segment> segments, boolean catchAll) {
        this.segments = List.copyOf(segments);
        this.catchAll = catchAll;
        this.literalCount = (int) segments.stream().filter(s -> !s.param()).count();
    }

    /** Parses a validated template; throws IllegalArgumentException on a malformed one (a config bug). */
    static PathTemplate parse(String template) {
        if (!template.startsWith("/")) throw new IllegalArgumentException("template must start with '/': " + template);
        String[] parts = template.substring(1).split("/", -1);
        List<Segment> segments = new ArrayList<>();
        boolean catchAll = false;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals("{**}")) {
                if (i != parts.length - 1) throw new IllegalArgumentException("{**} must be last: " + template);
                catchAll = true;
            } else if (p.length() > 2 && p.startsWith("{") && p.endsWith("}")) {
                segments.add(new Segment(p.substring(1, p.length() - 1), true));
            } else if (p.indexOf('{') >= 0 || p.indexOf('}') >= 0) {
                throw new IllegalArgumentException("bad template segment '" + p + "': " + template);
            } else {
                segments.add(new Segment(p, false));
            }
        }
        return new PathTemplate(segments, catchAll);
    }

    /** The segments before any catch-all. */
    List<Segment> segments() {
        return segments;
    }

    boolean catchAll() {
        return catchAll;
    }

    int literalCount() {
        return literalCount;
    }

    /** The parameters of a path this template is known to match, in template order. */
    Map<String, String> extract(String path) {
        Map<String, String> out = new LinkedHashMap<>();
        int pos = 1;
        for (Segment s : segments) {
            int end = path.indexOf('/', pos);
            if (end < 0) end = path.length();
            if (s.param()) out.put(s.text(), path.substring(pos, end));
            pos = end + 1;
        }
        if (catchAll) out.put(REST, pos > path.length() ? "" : path.substring(pos));
        return Collections.unmodifiableMap(out);
    }
}
