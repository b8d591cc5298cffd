package io.strait.config.model;

/** A {@code host:port} pair; {@code host} is an IP literal or a DNS name. */
public record HostPort(String host, int port) {
    /** Parses {@code host:port} or {@code [v6]:port}; returns null when malformed. */
    public static HostPort parse(String s) {
        if (s == null) return null;
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) return null;
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (host.isEmpty() || host.indexOf(':') >= 0 && !s.startsWith("[")) return null;
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (port < 0 || port > 65535) return null;
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
