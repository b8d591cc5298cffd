package io.strait.proxy.observe;

import io.strait.config.load.ConfigLoader;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an {@link ExchangeRecord} into one JSON object, or one line of {@code key=value} pairs (logfmt), with
 * exactly the configured fields, in the configured order. Runs on the access log's writer thread only (never
 * on an event loop).
 */
final class AccessLogFormat {

    /**
     * ISO-8601 in UTC to the second; the milliseconds and {@code Z} are appended, so every line has the
     * same shape ({@code 2026-12-04T23:59:59.123Z}).
     */
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** One output field: its JSON name and how to write its value. */
    private record Field(String name, ValueWriter writer) {}

    @FunctionalInterface
    private interface ValueWriter {
        void write(ExchangeRecord r, StringBuilder out);
    }

    private final Field[] fields;
    /** logfmt rather than JSON. */
    private final boolean text;
    /** One value as JSON, before it is written as logfmt (the writer thread's own). */
    private final StringBuilder value = new StringBuilder(64);

    /**
     * @throws IllegalArgumentException for a field name not in {@link
     *     ConfigLoader#ACCESS_LOG_FIELDS}
     */
    AccessLogFormat(List<String> fieldNames) {
        this(fieldNames, false);
    }

    /** {@code text}: {@code key=value} pairs (logfmt) rather than a JSON object. */
    AccessLogFormat(List<String> fieldNames, boolean text) {
        this.text = text;
        List<Field> list = new ArrayList<>(fieldNames.size());
        for (String name : fieldNames) list.add(new Field(name, writerFor(name)));
        this.fields = list.toArray(Field[]::new);
    }

    /** Appends one JSON object, or one logfmt line (no line break), to {@code out}. */
    void format(ExchangeRecord r, StringBuilder out) {
        if (text) {
            formatText(r, out);
            return;
        }
        out.append('{');
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) out.append(',');
            out.append('"').append(fields[i].name()).append("\":");
            fields[i].writer().write(r, out);
        }
        out.append('}');
    }

    /**
     * {@code name=value} pairs: a missing value is {@code -} (as nginx writes it), a string with nothing that needs
     * quoting is bare, any other string stays the JSON string (quoted and escaped), so a line is parsed back exactly.
     */
    private void formatText(ExchangeRecord r, StringBuilder out) {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) out.append(' ');
            out.append(fields[i].name()).append('=');
            value.setLength(0);
            fields[i].writer().write(r, value);
            if (value.length() == 4 && value.indexOf("null") == 0) {
                out.append('-');
            } else if (value.length() > 2 && value.charAt(0) == '"' && bare(value)) {
                out.append(value, 1, value.length() - 1);
            } else {
                out.append(value);
            }
        }
    }

    /** Whether a JSON string's contents can be written without quotes in logfmt. */
    private static boolean bare(CharSequence json) {
        for (int i = 1; i < json.length() - 1; i++) {
            char c = json.charAt(i);
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) return false;
        }
        return !(json.length() == 3 && json.charAt(1) == '-');
    }

    private static ValueWriter writerFor(String name) {
        return switch (name) {
            case "time" -> new TimeWriter();
            case "requestId" -> (r, out) -> string(r.requestId(), out);
            case "client" -> (r, out) -> string(r.client(), out);
            case "method" -> (r, out) -> string(r.method(), out);
            case "host" -> (r, out) -> string(r.host(), out);
            case "path" -> (r, out) -> string(r.path(), out);
            case "protocol" -> (r, out) -> string(r.protocol(), out);
            case "status" -> (r, out) -> out.append(r.status());
            case "durationMs" -> (r, out) -> millis(r.durationNanos(), out);
            case "upstreamMs" -> (r, out) -> {
                if (r.upstreamNanos() < 0) out.append("null");
                else millis(r.upstreamNanos(), out);
            };
            case "bytesIn" -> (r, out) -> out.append(r.bytesIn());
            case "bytesOut" -> (r, out) -> out.append(r.bytesOut());
            case "route" -> (r, out) -> string(r.route(), out);
            case "cluster" -> (r, out) -> string(r.cluster(), out);
            case "upstream" -> (r, out) -> string(r.upstream(), out);
            case "userAgent" -> (r, out) -> string(r.userAgent(), out);
            case "traceId" -> (r, out) -> string(r.traceId(), out);
            case "error" -> (r, out) -> string(r.error(), out);
            case "tenant" -> (r, out) -> string(r.caller() == null ? null : r.caller().tenant(), out);
            case "keyId" -> (r, out) -> string(r.caller() == null ? null : r.caller().keyId(), out);
            case "subject" -> (r, out) -> string(r.caller() == null ? null : r.caller().subject(), out);
            default -> throw new IllegalArgumentException("unknown access log field '" + name
                    + "'; known: " + String.join(", ", ConfigLoader.ACCESS_LOG_FIELDS));
        };
    }

    /**
     * The time field: the text up to the second is made once a second (formatting a date costs more than
     * the rest of the line), the milliseconds are appended. One per format, on the writer thread only.
     */
    private static final class TimeWriter implements ValueWriter {
        private long second = Long.MIN_VALUE;
        private String prefix;

        @Override
        public void write(ExchangeRecord r, StringBuilder out) {
            long millis = r.startEpochMillis();
            long sec = Math.floorDiv(millis, 1000);
            if (sec != second) {
                prefix = SECONDS.format(java.time.Instant.ofEpochSecond(sec));
                second = sec;
            }
            int ms = (int) Math.floorMod(millis, 1000);
            out.append('"').append(prefix)
                    .append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10)).append((char) ('0' + ms % 10))
                    .append("Z\"");
        }
    }

    /** Nanoseconds as milliseconds with exactly three decimals ({@code 12.345}), rounded. */
    static void millis(long nanos, StringBuilder out) {
        if (nanos < 0) nanos = 0;
        long micros = (nanos + 500) / 1_000;
        out.append(micros / 1_000).append('.');
        long frac = micros % 1_000;
        if (frac < 100) out.append('0');
        if (frac < 10) out.append('0');
        out.append(frac);
    }

    /**
     * A JSON string, or {@code null}. Control characters, quotes, backslashes, DEL, the JavaScript
     * line separators and unpaired surrogates are escaped, so a hostile path or user agent can
     * neither break the line nor the JSON.
     */
    static void string(String s, StringBuilder out) {
        if (s == null) {
            out.append("null");
            return;
        }
        out.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        unicodeEscape(c, out);
                    } else if (Character.isHighSurrogate(c) && i + 1 < n
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape(c, out);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(char c, StringBuilder out) {
        out.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
    }
}
