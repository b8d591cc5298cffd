package io.strait.proxy.tls;

import io.netty.util.NetUtil;
import io.strait.config.tls.Pem;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Checks an upstream's certificate: its chain against the trust bundle (the delegate, without its
 * own host name check), then its subjectAltNames against the expected names, as Envoy's
 * {@code match_typed_subject_alt_names} does: any one of {@code expected} (DNS names, wildcards in the
 * certificate allowed; URIs such as SPIFFE ids, exact), or when none are configured the connection's
 * peer host (the SNI name, or the endpoint's IP address as an IP subjectAltName).
 */
final class SubjectAltNameCheck extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final List<String> expected;

    SubjectAltNameCheck(X509ExtendedTrustManager delegate, List<String> expected) {
        this.delegate = delegate;
        this.expected = List.copyOf(expected);
    }

    /** The certificate does not name the peer it was expected to: the message says what it names. */
    static final class Mismatch extends CertificateException {
        Mismatch(String message) {
            super(message);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
        check(chain[0], expected.isEmpty() ? List.of(engine.getPeerHost()) : expected);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
        if (expected.isEmpty()) throw new CertificateException("no expected name for a socket connection");
        check(chain[0], expected);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
        if (expected.isEmpty()) throw new CertificateException("no expected name without an engine");
        check(chain[0], expected);
    }

    static void check(X509Certificate leaf, List<String> names) throws CertificateException {
        for (String name : names) {
            if (name != null && matches(leaf, name)) return;
        }
        throw new Mismatch("the certificate does not match " + String.join(" or ", names) + "; it names " + altNames(leaf));
    }

    private static boolean matches(X509Certificate leaf, String name) {
        if (name.contains("://")) return Pem.uris(leaf).contains(name);
        if (NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name)) {
            byte[] want = NetUtil.createByteArrayFromIpAddressString(name);
            for (String ip : ipAddresses(leaf)) {
                if (java.util.Arrays.equals(want, NetUtil.createByteArrayFromIpAddressString(ip))) return true;
            }
            return false;
        }
        String host = name.toLowerCase(Locale.ROOT);
        for (String dns : Pem.dnsNames(leaf)) {
            String d = dns.toLowerCase(Locale.ROOT);
            if (d.equals(host)) return true;
            // a wildcard covers exactly one left-most label: *.example.com matches a.example.com only
            if (d.startsWith("*.") && host.indexOf('.') > 0 && host.substring(host.indexOf('.')).equals(d.substring(1))) return true;
        }
        return false;
    }

    private static List<String> ipAddresses(X509Certificate leaf) {
        List<String> out = new ArrayList<>();
        try {
            var names = leaf.getSubjectAlternativeNames();
            if (names == null) return out;
            for (List<?> n : names) {
                if (n.size() >= 2 && n.get(0) instanceof Integer t && t == 7 && n.get(1) instanceof String s) out.add(s);
            }
        } catch (CertificateParsingException e) {
            // an unreadable extension names nothing
        }
        return out;
    }

    private static String altNames(X509Certificate leaf) {
        List<String> out = new ArrayList<>();
        Pem.dnsNames(leaf).forEach(n -> out.add("DNS:" + n));
        Pem.uris(leaf).forEach(n -> out.add("URI:" + n));
        ipAddresses(leaf).forEach(n -> out.add("IP:" + n));
        return out.isEmpty() ? "no subjectAltName" : String.join(", ", out);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
