package io.strait.config.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificate chains and private keys (PKCS#8, PKCS#1 RSA, SEC1 EC) with the JDK alone, so
 * the config loader can check them and the proxy can load them. Messages never quote key material.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");
    /** rsaEncryption, 1.2.840.113549.1.1.1, as a DER OID, followed by the NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** id-ecPublicKey, 1.2.840.10045.2.1, as a DER OID. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private Pem() {}

    /** The file's bytes; a missing or unreadable file is a {@link PemException} saying so. */
    public static byte[] read(Path file) throws PemException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PemException("no such file");
        } catch (AccessDeniedException e) {
            throw new PemException("permission denied");
        } catch (IOException e) {
            throw new PemException(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** Every certificate of a PEM file, in file order (a chain: leaf first). */
    public static List<X509Certificate> certificates(byte[] pem) throws PemException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(pem)) {
                if (!b.label().equals("CERTIFICATE")) continue;
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
            }
        } catch (CertificateException e) {
            throw new PemException("not a valid PEM certificate: " + e.getMessage());
        }
        if (out.isEmpty()) throw new PemException("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        return out;
    }

    /** The private key of a PEM file: PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}. */
    public static PrivateKey privateKey(byte[] pem) throws PemException {
        for (Block b : blocks(pem)) {
            switch (b.label()) {
                case "PRIVATE KEY" -> {
                    return pkcs8(b.der());
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(sequence(integerZero(), RSA_ALGORITHM, octetString(b.der())));
                }
                case "EC PRIVATE KEY" -> {
                    byte[] curve = sec1Curve(b.der());
                    return pkcs8(sequence(integerZero(), sequence(EC_PUBLIC_KEY, curve), octetString(b.der())));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new PemException(
                        "the key is encrypted; give an unencrypted key (openssl pkcs8 -topk8 -nocrypt)");
                default -> { } // EC PARAMETERS and the like come before the key: skip
            }
        }
        throw new PemException("holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    /** Whether {@code key} is the private half of {@code cert}'s public key (a test signature verifies). */
    public static boolean matches(PrivateKey key, X509Certificate cert) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (alg == null) return key.getAlgorithm().equals(cert.getPublicKey().getAlgorithm());
        try {
            byte[] probe = "strait key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The DNS names of the certificate's subjectAltName extension. */
    public static List<String> dnsNames(X509Certificate cert) {
        return altNames(cert, 2);
    }

    /** The URIs of the certificate's subjectAltName extension (SPIFFE ids, for instance). */
    public static List<String> uris(X509Certificate cert) {
        return altNames(cert, 6);
    }

    private static List<String> altNames(X509Certificate cert, int type) {
        List<String> out = new ArrayList<>();
        try {
            var names = cert.getSubjectAlternativeNames();
            if (names == null) return out;
            for (List<?> n : names) {
                if (n.size() >= 2 && n.get(0) instanceof Integer t && t == type && n.get(1) instanceof String s) out.add(s);
            }
        } catch (CertificateParsingException e) {
            // an unreadable extension names nothing
        }
        return out;
    }

    private record Block(String label, byte[] der) {}

    private static List<Block> blocks(byte[] pem) throws PemException {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new PemException("a " + m.group(1) + " block is not valid base64");
            }
        }
        return out;
    }

    private static PrivateKey pkcs8(byte[] der) throws PemException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new PemException("the private key is not a valid RSA, EC or Ed25519 key");
    }

    /** The named-curve OID (a whole DER TLV) from a SEC1 ECPrivateKey's [0] parameters. */
    private static byte[] sec1Curve(byte[] der) throws PemException {
        try {
            int[] seq = tlv(der, 0);
            int p = seq[1];
            int end = seq[1] + seq[2];
            while (p < end) {
                int[] f = tlv(der, p);
                if ((der[p] & 0xff) == 0xa0) {
                    int[] oid = tlv(der, f[1]);
                    byte[] out = new byte[oid[1] + oid[2] - f[1]];
                    System.arraycopy(der, f[1], out, 0, out.length);
                    return out;
                }
                p = f[1] + f[2];
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            // falls through to the error
        }
        throw new PemException("the EC private key names no curve; give it as PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
    }

    /** {tag, content offset, content length} of the DER element at {@code p}. */
    private static int[] tlv(byte[] d, int p) {
        int len = d[p + 1] & 0xff;
        int off = p + 2;
        if (len >= 0x80) {
            int n = len & 0x7f;
            len = 0;
            for (int i = 0; i < n; i++) len = (len << 8) | (d[off + i] & 0xff);
            off += n;
        }
        if (off + len > d.length) throw new ArrayIndexOutOfBoundsException();
        return new int[] {d[p] & 0xff, off, len};
    }

    private static byte[] integerZero() {
        return new byte[] {0x02, 0x01, 0x00};
    }

    private static byte[] octetString(byte[] content) {
        return element(0x04, content);
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return element(0x30, b.toByteArray());
    }

    private static byte[] element(int tag, byte[] content) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tag);
        int n = content.length;
        if (n < 0x80) {
            b.write(n);
        } else if (n < 0x100) {
            b.write(0x81);
            b.write(n);
        } else if (n < 0x10000) {
            b.write(0x82);
            b.write(n >> 8);
            b.write(n);
        } else {
            b.write(0x83);
            b.write(n >> 16);
            b.write(n >> 8);
            b.write(n);
        }
        b.writeBytes(content);
        return b.toByteArray();
    }
}
