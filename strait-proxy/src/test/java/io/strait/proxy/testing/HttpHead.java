package io.strait.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A response head read byte by byte from a raw socket (nothing of the body is consumed), for tests
 * that then read or withhold the body themselves.
 *
 * @param headers lower-cased names; the last value wins
 */
public record HttpHead(int status, Map<String, String> headers) {

    public static HttpHead read(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0; // how much of CR LF CR LF has been seen
        while (state < 4) {
            int b = in.read();
            if (b < 0) throw new EOFException("connection closed in the response head: " + buf.toString(StandardCharsets.ISO_8859_1));
            buf.write(b);
            state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new HttpHead(status, headers);
    }

    public long contentLength() {
        String v = headers.get("content-length");
        return v == null ? -1 : Long.parseLong(v);
    }
}
