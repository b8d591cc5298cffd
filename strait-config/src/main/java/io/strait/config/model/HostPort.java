package io.strait.config.model;

import java.util.regex.Pattern;

/** A {@code host:port} pair; {@code host} is an IP literal or a DNS name. */
public record HostPort(String host, int port) {
    /** A DNS name or IPv4 literal. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?");
    /** The inside of {@code [...]}: an IPv6 literal, optionally with a zone ({@code fe80::1%eth0}). */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    /** Parses {@code host:port} or {@code [v6]:port} (port 0-65535); returns null when malformed. */
    public static HostPort parse(String s) {
        if (s == null) return null;
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) return null;
        String host = s.substring(0, colon);
        String port = s.substring(colon + 1);
        if (!PORT.matcher(port).matches()) return null;
        int p = Integer.parseInt(port);
        if (p > 65535) return null;
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (!IPV6.matcher(host).matches()) return null;
        } else if (!NAME.matcher(host).matches()) {
            return null;
        }
        return new HostPort(host, p);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
