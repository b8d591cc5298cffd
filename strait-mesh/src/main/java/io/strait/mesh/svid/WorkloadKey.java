package io.strait.mesh.svid;

import io.strait.mesh.identity.SpiffeId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * The sidecar's side of issuance: a fresh EC P-256 key pair made in this process, and the CSR that
 * proves possession of it. Only the CSR leaves the process; the private key stays in memory (it is
 * handed to the TLS engine, never written, never logged: {@link #toString()} omits it). A new key is
 * made for every renewal, so a leaked key dies with its SVID.
 */
public final class WorkloadKey {
    private final KeyPair keyPair;

    private WorkloadKey(KeyPair keyPair) {
        this.keyPair = keyPair;
    }

    /**
     * A new P-256 key (the curve every TLS stack supports, and fast to sign with). CPU work of about a millisecond, once
     * the JDK has built its tables for the curve (the first key of a process: ~0.1 s in a sidecar's fresh JVM).
     */
    public static WorkloadKey generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return new WorkloadKey(g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
        }
    }

    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    public java.security.PublicKey publicKey() {
        return keyPair.getPublic();
    }

    /** A PKCS#10 CSR (PEM) for {@code id}, signed with this key; it asks for the one URI SAN the CA will set anyway. */
    public String csrPem(SpiffeId id) {
        return "-----BEGIN CERTIFICATE REQUEST-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(csrDer(id))
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    /**
     * The CSR as DER (RFC 2986): an empty subject, this key, an extensionRequest for a critical subjectAltName holding
     * {@code id}'s URI, signed with ECDSA and SHA-256. Written here in a few dozen bytes of DER rather than with
     * BouncyCastle's builder, which is some 200 classes (about 1.5 MiB of every sidecar's memory and 20 ms of its
     * start) for this one structure; the CA still reads and checks it with BouncyCastle ({@code WorkloadKeyTest}
     * holds the two to the same bytes).
     */
    public byte[] csrDer(SpiffeId id) {
        byte[] san = der(SEQUENCE, der(URI_NAME, id.uri().getBytes(StandardCharsets.US_ASCII)));
        byte[] extension = der(SEQUENCE, der(OID, SUBJECT_ALT_NAME), der(BOOLEAN, new byte[] {(byte) 0xff}), der(OCTET_STRING, san));
        byte[] attribute = der(SEQUENCE, der(OID, EXTENSION_REQUEST), der(SET, der(SEQUENCE, extension)));
        byte[] info = der(SEQUENCE, der(INTEGER, new byte[] {0}), der(SEQUENCE), keyPair.getPublic().getEncoded(),
                der(ATTRIBUTES, attribute));
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keyPair.getPrivate());
            signer.update(info);
            byte[] signature = signer.sign();
            byte[] bits = new byte[signature.length + 1]; // no unused bits
            System.arraycopy(signature, 0, bits, 1, signature.length);
            return der(SEQUENCE, info, der(SEQUENCE, der(OID, ECDSA_WITH_SHA256)), der(BIT_STRING, bits));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the CSR", e);
        }
    }

    private static final int BOOLEAN = 0x01, INTEGER = 0x02, BIT_STRING = 0x03, OCTET_STRING = 0x04, OID = 0x06;
    private static final int SEQUENCE = 0x30, SET = 0x31, URI_NAME = 0x86, ATTRIBUTES = 0xa0; // [6] and [0] IMPLICIT
    /** 1.2.840.113549.1.9.14, 2.5.29.17 and 1.2.840.10045.4.3.2, encoded. */
    private static final byte[] EXTENSION_REQUEST = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x09, 0x0e};
    private static final byte[] SUBJECT_ALT_NAME = {0x55, 0x1d, 0x11};
    private static final byte[] ECDSA_WITH_SHA256 = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};

    /** One DER element: the tag, the definite length, the parts' bytes. */
    private static byte[] der(int tag, byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) length += p.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            int octets = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | octets);
            for (int i = octets - 1; i >= 0; i--) out.write(length >>> (8 * i));
        }
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return "WorkloadKey[EC P-256, private key not shown]";
    }
}
