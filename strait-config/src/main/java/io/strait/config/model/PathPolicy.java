package io.strait.config.model;

/**
 * How request paths are normalized before routing (and forwarded upstream as normalized).
 *
 * @param mergeSlashes collapse {@code //} into {@code /}
 * @param encodedSlashes what to do with {@code %2F} and {@code %5C} in a path
 */
public record PathPolicy(boolean mergeSlashes, EncodedSlashes encodedSlashes) {
    public enum EncodedSlashes {
        /** Refuse the request with 400: the safe default, as a proxy and its upstream may disagree. */
        REJECT,
        /** Keep them encoded: routing sees one segment, the upstream receives {@code %2F}. */
        KEEP,
        /** Decode them into {@code /} before normalizing and routing. */
        DECODE
    }

    public static final PathPolicy DEFAULT = new PathPolicy(true, EncodedSlashes.REJECT);
}
