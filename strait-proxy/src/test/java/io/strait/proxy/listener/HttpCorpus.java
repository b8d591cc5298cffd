package io.strait.proxy.listener;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a raw-request corpus such as {@code /malformed/http1-corpus.txt}. Format:
 * <pre>
 * # a comment: any line starting with "# "
 * ### 400 case-name
 * GET / HTTP/1.1\r\n
 * Host: a\r\n
 * \r\n
 * </pre>
 * File line breaks are not part of the bytes. Escapes: {@code \r \n \t \0 \\ \xHH}; {@code {{N*text}}} repeats
 * text N times (escapes inside it apply after repeating). Usable from a raw-socket test as well.
 */
public final class HttpCorpus {
    private HttpCorpus() {}

    /** One case: its name, the expected status of the answer, and the exact bytes to send. */
    public record Case(String name, int status, byte[] bytes) {
        @Override
        public String toString() {
            return status + " " + name;
        }
    }

    public static List<Case> load(String resource) {
        try (InputStream in = HttpCorpus.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no resource " + resource);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Case> parse(String text) {
        List<Case> cases = new ArrayList<>();
        String name = null;
        int status = 0;
        StringBuilder raw = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("### ")) {
                if (name != null) cases.add(new Case(name, status, decode(raw.toString())));
                String[] parts = line.substring(4).trim().split("\\s+", 2);
                status = Integer.parseInt(parts[0]);
                name = parts[1];
                raw.setLength(0);
            } else if (name != null && !line.startsWith("# ")) {
                raw.append(line);
            }
        }
        if (name != null) cases.add(new Case(name, status, decode(raw.toString())));
        return cases;
    }

    static byte[] decode(String s) {
        String expanded = expandRepeats(s);
        ByteArrayOutputStream out = new ByteArrayOutputStream(expanded.length());
        for (int i = 0; i < expanded.length(); i++) {
            char c = expanded.charAt(i);
            if (c != '\\') {
                if (c > 0xFF) throw new IllegalArgumentException("non-Latin-1 character; use \\xHH: " + c);
                out.write(c);
                continue;
            }
            char e = expanded.charAt(++i);
            switch (e) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '0' -> out.write(0);
                case '\\' -> out.write('\\');
                case 'x' -> {
                    out.write(Integer.parseInt(expanded.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + e);
            }
        }
        return out.toByteArray();
    }

    private static String expandRepeats(String s) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (true) {
            int open = s.indexOf("{{", i);
            if (open < 0) break;
            int close = s.indexOf("}}", open);
            int star = s.indexOf('*', open);
            sb.append(s, i, open);
            int n = Integer.parseInt(s.substring(open + 2, star));
            sb.append(s.substring(star + 1, close).repeat(n));
            i = close + 2;
        }
        return sb.append(s.substring(i)).toString();
    }
}
