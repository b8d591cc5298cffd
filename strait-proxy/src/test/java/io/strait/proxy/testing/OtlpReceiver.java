package io.strait.proxy.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/HTTP receiver standing in for an OpenTelemetry collector: a real HTTP server on port 0 that
 * decodes the protobuf {@code ExportTraceServiceRequest} bodies the exporter posts (with a small reader of
 * the protobuf wire format, for the fields of opentelemetry-proto's {@code trace.proto} a test looks at)
 * and answers 200 with an empty response, as a collector does.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** One export request as received. */
    public record Export(String path, Map<String, String> headers, List<Span> spans) {}

    /** A span as decoded: ids in hex, the resource's {@code service.name}, the span's attributes. */
    public record Span(String service, String traceId, String spanId, String parentSpanId, String name, int kind,
            Map<String, Object> attributes, int statusCode) {}

    /** OTLP's span kinds. */
    public static final int KIND_SERVER = 2;
    public static final int KIND_CLIENT = 3;

    private final HttpServer server;
    private final List<Export> exports = new CopyOnWriteArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            Map<String, String> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            List<Span> spans;
            try {
                spans = decode(body);
            } catch (RuntimeException e) {
                ex.sendResponseHeaders(400, -1);
                ex.close();
                return;
            }
            exports.add(new Export(ex.getRequestURI().getPath(), headers, spans));
            ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
    }

    /** The base URL ({@code http://127.0.0.1:PORT}). */
    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Export> exports() {
        return List.copyOf(exports);
    }

    /** Every span received so far, from every export. */
    public List<Span> spans() {
        List<Span> all = new ArrayList<>();
        for (Export e : exports) all.addAll(e.spans());
        return all;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---------------------------------------------------------------- protobuf wire format

    static List<Span> decode(byte[] body) {
        List<Span> out = new ArrayList<>();
        for (Field rs : fields(body, 0, body.length)) {
            if (rs.number != 1) continue; // ExportTraceServiceRequest.resource_spans
            String service = null;
            List<Field> inner = fields(body, rs.from, rs.to);
            for (Field f : inner) {
                if (f.number == 1) { // ResourceSpans.resource
                    Map<String, Object> attrs = attributes(body, fields(body, f.from, f.to), 1);
                    service = (String) attrs.get("service.name");
                }
            }
            for (Field f : inner) {
                if (f.number != 2) continue; // ResourceSpans.scope_spans
                for (Field s : fields(body, f.from, f.to)) {
                    if (s.number == 2) out.add(span(body, service, fields(body, s.from, s.to))); // ScopeSpans.spans
                }
            }
        }
        return out;
    }

    private static Span span(byte[] b, String service, List<Field> fs) {
        String trace = null, span = null, parent = null, name = null;
        int kind = 0, status = 0;
        for (Field f : fs) {
            switch (f.number) {
                case 1 -> trace = hex(b, f);
                case 2 -> span = hex(b, f);
                case 4 -> parent = f.to > f.from ? hex(b, f) : null;
                case 5 -> name = text(b, f);
                case 6 -> kind = (int) f.value;
                case 15 -> {
                    for (Field st : fields(b, f.from, f.to)) if (st.number == 3) status = (int) st.value;
                }
                default -> { }
            }
        }
        return new Span(service, trace, span, parent, name, kind, attributes(b, fs, 9), status);
    }

    private static Map<String, Object> attributes(byte[] b, List<Field> fs, int number) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field kv : fs) {
            if (kv.number != number) continue;
            String key = null;
            Object value = null;
            for (Field f : fields(b, kv.from, kv.to)) {
                if (f.number == 1) key = text(b, f);
                if (f.number == 2) {
                    for (Field v : fields(b, f.from, f.to)) {
                        value = switch (v.number) {
                            case 1 -> text(b, v);
                            case 2 -> v.value != 0;
                            case 3 -> v.value;
                            case 4 -> Double.longBitsToDouble(v.value);
                            default -> value;
                        };
                    }
                }
            }
            if (key != null) out.put(key, value);
        }
        return out;
    }

    private record Field(int number, int wire, long value, int from, int to) {}

    private static List<Field> fields(byte[] b, int from, int to) {
        List<Field> out = new ArrayList<>();
        int[] at = {from};
        while (at[0] < to) {
            long tag = varint(b, at);
            int number = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            switch (wire) {
                case 0 -> out.add(new Field(number, wire, varint(b, at), 0, 0));
                case 1 -> {
                    long v = 0;
                    for (int i = 7; i >= 0; i--) v = v << 8 | (b[at[0] + i] & 0xff);
                    at[0] += 8;
                    out.add(new Field(number, wire, v, 0, 0));
                }
                case 2 -> {
                    int len = (int) varint(b, at);
                    out.add(new Field(number, wire, 0, at[0], at[0] + len));
                    at[0] += len;
                }
                case 5 -> at[0] += 4;
                default -> throw new IllegalArgumentException("wire type " + wire);
            }
        }
        return out;
    }

    private static long varint(byte[] b, int[] at) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b[at[0]++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) return v;
        }
        throw new IllegalArgumentException("varint too long");
    }

    private static String text(byte[] b, Field f) {
        return new String(b, f.from, f.to - f.from, StandardCharsets.UTF_8);
    }

    private static String hex(byte[] b, Field f) {
        return HexFormat.of().formatHex(b, f.from, f.to);
    }
}
