package io.strait.mesh.xfcc;

import io.strait.config.tls.Pem;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * One element of {@code X-Forwarded-Client-Cert} in Envoy's format: {@code By=<own URI>;Hash=<hex SHA-256 of the
 * peer certificate's DER>;URI=<each URI SAN of the peer certificate>}. As Envoy's docs say, a value containing a
 * comma, semicolon or equals sign is double-quoted, and a double quote (or backslash) inside it is escaped with
 * a backslash; SPIFFE IDs never need it, other URIs may.
 */
final class XfccValue {
    private XfccValue() {}

    /** The element for {@code peer}; {@code by} may be null (no By). */
    static String of(String by, X509Certificate peer) {
        StringBuilder sb = new StringBuilder(160);
        if (by != null) sb.append("By=").append(quote(by)).append(';');
        sb.append("Hash=").append(sha256(peer));
        for (String uri : Pem.uris(peer)) sb.append(";URI=").append(quote(uri));
        return sb.toString();
    }

    /** {@code value}, double-quoted when it holds {@code , ; =} or a quote, with {@code "} and {@code \} escaped. */
    static String quote(String value) {
        boolean needs = false;
        for (int i = 0; i < value.length() && !needs; i++) {
            char c = value.charAt(i);
            needs = c == ',' || c == ';' || c == '=' || c == '"' || c == '\\';
        }
        if (!needs) return value;
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** Hex SHA-256 of the certificate's DER encoding, lower case, as Envoy writes Hash. */
    static String sha256(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot hash the peer certificate", e);
        }
    }

    /** A URI with a scheme and no whitespace or control characters (the {@code by} setting). */
    static boolean isUri(String s) {
        int colon = s.indexOf("://");
        if (colon <= 0 || colon + 3 >= s.length()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f) return false;
        }
        return true;
    }
}
