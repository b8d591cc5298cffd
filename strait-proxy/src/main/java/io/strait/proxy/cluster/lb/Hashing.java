package io.strait.proxy.cluster.lb;

/**
 * A fast 64-bit string hash for ring-hash: FNV-1a over the characters, then murmur3's 64-bit
 * finalizer so that every input bit affects every output bit (plain FNV clusters similar keys).
 */
public final class Hashing {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    /** 2^64 / golden ratio: consecutive multiples are spread evenly over the 64-bit range (splitmix64). */
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private Hashing() {}

    public static long hash64(CharSequence s) {
        long h = FNV_OFFSET;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= FNV_PRIME;
        }
        return mix(h);
    }

    /** The {@code i}-th derived hash of {@code base}: virtual node positions without building strings. */
    static long derive(long base, int i) {
        return mix(base + (i + 1) * GOLDEN);
    }

    /** murmur3's fmix64. */
    public static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
