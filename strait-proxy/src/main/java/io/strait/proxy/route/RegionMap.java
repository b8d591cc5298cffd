package io.strait.proxy.route;

import java.util.Map;

/**
 * An immutable open-addressing hash map with {@link String} keys that is looked up by a region of a string and
 * that region's {@link String#hashCode()}-compatible hash, so routing can probe prefixes, segments and host
 * suffixes of a request without allocating substrings.
 */
final class RegionMap<V> {
    /** Multiplicative inverse of 31 modulo 2^32: removes the last character from a String hash. */
    static final int INV31 = inverse(31);
    /** Golden-ratio multiplier (Fibonacci hashing) to spread String hashes over the table. */
    private static final int SPREAD = 0x9E3779B9;

    private final String[] keys;
    private final int[] hashes;
    private final Object[] values;
    private final int shift;
    private final int size;

    RegionMap(Map<String, V> entries) {
        // load factor at most 1/2 keeps probe sequences short
        int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(1, entries.size() * 2 - 1)));
        int capacity = 1 << bits;
        keys = new String[capacity];
        hashes = new int[capacity];
        values = new Object[capacity];
        shift = 32 - bits;
        size = entries.size();
        int mask = capacity - 1;
        for (Map.Entry<String, V> e : entries.entrySet()) {
            String k = e.getKey();
            int h = k.hashCode();
            int i = slot(h);
            while (keys[i] != null) i = (i + 1) & mask;
            keys[i] = k;
            hashes[i] = h;
            values[i] = e.getValue();
        }
    }

    int size() {
        return size;
    }

    V get(String key) {
        return get(key, 0, key.length(), key.hashCode());
    }

    /** The value for the key equal to {@code s[from, to)}, whose String hash is {@code hash}; null if none. */
    @SuppressWarnings("unchecked")
    V get(String s, int from, int to, int hash) {
        int len = to - from;
        int mask = keys.length - 1;
        for (int i = slot(hash); ; i = (i + 1) & mask) {
            String k = keys[i];
            if (k == null) return null;
            if (hashes[i] == hash && k.length() == len && s.regionMatches(from, k, 0, len)) return (V) values[i];
        }
    }

    private int slot(int hash) {
        return (hash * SPREAD) >>> shift;
    }

    /** {@code s.substring(from, to).hashCode()} without the substring. */
    static int hash(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) h = 31 * h + s.charAt(i);
        return h;
    }

    private static int inverse(int odd) {
        int x = odd; // correct to 3 bits for any odd number; each Newton step doubles the correct bits
        for (int i = 0; i < 4; i++) x *= 2 - odd * x;
        return x;
    }
}
