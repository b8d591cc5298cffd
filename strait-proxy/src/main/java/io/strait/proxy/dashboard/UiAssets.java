package io.strait.proxy.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The dashboard's page: {@code index.html} with {@code dashboard.css} and {@code dashboard.js} (classpath
 * resources beside this class) put inline, read once. One document, so it works at {@code /ui} and {@code /ui/}
 * and behind a proxy that adds a path prefix; its Content-Security-Policy lets it load nothing from anywhere and
 * talk only to the admin API that served it. Shared by the proxy's admin API and the control plane's.
 */
public final class UiAssets {
    /** The paths answering the page. */
    public static final Set<String> PATHS = Set.of("/ui", "/ui/");
    public static final String CONTENT_TYPE = "text/html; charset=utf-8";
    /** No external asset, no frame, no form: scripts and styles only from the page itself, requests only to its origin. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
            + " img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final byte[] PAGE = compose();

    private UiAssets() {}

    /** The page's bytes (UTF-8 HTML). */
    public static byte[] page() {
        return PAGE;
    }

    private static byte[] compose() {
        String html = read("index.html");
        html = html.replace("<!--css-->", "<style>\n" + read("dashboard.css") + "</style>");
        html = html.replace("<!--js-->", "<script>\n" + read("dashboard.js") + "</script>");
        return html.getBytes(StandardCharsets.UTF_8);
    }

    private static String read(String name) {
        try (InputStream in = UiAssets.class.getResourceAsStream("ui/" + name)) {
            if (in == null) throw new IllegalStateException("dashboard asset missing from the jar: ui/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
