package io.strait.gateway.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The key format: {@code strait_} followed by 43 base64url characters (32 random bytes, 256 bits). The
 * fixed prefix lets secret scanners recognise a leaked key. Stores keep only {@link #hash(String)}.
 */
public final class ApiKeys {
    /** Every key starts with this, so leaked keys are easy to find in code and logs. */
    public static final String PREFIX = "strait_";
    /** 256 bits: guessing is hopeless and a plain (unsalted) SHA-256 is enough to store them. */
    public static final int RANDOM_BYTES = 32;
    /** Longer values are rejected before hashing: no key is this long, so nobody makes us hash megabytes. */
    public static final int MAX_LENGTH = 256;
    /** Id length in base32 characters: 60 bits, unique enough for a key list and short enough to read. */
    private static final int ID_CHARS = 12;
    private static final String ID_PREFIX = "key_";
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    /** 32 random bytes in unpadded base64url. */
    private static final int BODY_LENGTH = 43;
    private static final Pattern ID = Pattern.compile("key_[a-z2-7]{12}");
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {}

    /** A new random key. Show it once; store only its hash. */
    public static String newKey() {
        byte[] b = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(b);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A new key id such as {@code key_7k2mq4x9abcd}: shown in lists, sent upstream as X-API-Key-ID. */
    public static String newId() {
        StringBuilder sb = new StringBuilder(ID_PREFIX);
        for (int i = 0; i < ID_CHARS; i++) sb.append(BASE32[RANDOM.nextInt(BASE32.length)]);
        return sb.toString();
    }

    /** Whether a value has the shape of a key (checked before any lookup). */
    public static boolean wellFormed(String key) {
        // strait_ and 43 base64url characters, checked by hand rather than with a regex: this runs on every request that carries a key.
        if (key == null || key.length() != PREFIX.length() + BODY_LENGTH || !key.startsWith(PREFIX)) return false;
        for (int i = PREFIX.length(); i < key.length(); i++) {
            char c = key.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
        }
        return true;
    }

    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    public static boolean validHash(String hash) {
        return hash != null && HASH.matcher(hash).matches();
    }

    /** SHA-256 of the key's UTF-8 bytes, lowercase hex: the only form in which a key is stored. */
    public static String hash(String key) {
        MessageDigest md = SHA256.get(); // one per thread: getInstance looks the provider up on every call
        md.reset();
        return HEX.formatHex(md.digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    });

    /** Compares two hashes in constant time. */
    public static boolean hashEquals(String a, String b) {
        if (a == null || b == null) return false;
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
