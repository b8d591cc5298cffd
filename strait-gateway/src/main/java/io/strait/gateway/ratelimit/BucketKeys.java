package io.strait.gateway.ratelimit;

import io.strait.config.model.RateLimitPolicy.Descriptor;
import io.strait.gateway.auth.Identity;
import io.strait.proxy.filter.RequestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * Builds a bucket's key from its policy's descriptors: {@code {first}:policy:second:third}. The first
 * part is the Redis Cluster hash tag, so one client's buckets share a slot and one script call charges
 * them all; a policy without descriptors is one bucket for everyone, tagged by the policy's name.
 *
 * <p>Parts come from the client (header values, token subjects), so each is bounded: a value of at most
 * {@link #MAX_PLAIN_LENGTH} characters from a conservative ASCII set is used as it is; anything else
 * (long, unicode, separators, braces that would break the hash tag) becomes {@code h.} and a hash of it.
 * A key therefore has at most about 64 characters per part, whatever the client sends.
 */
public final class BucketKeys {
    /** Long enough for API key ids, UUID subjects and IPv6 addresses; past it a value is hashed. */
    static final int MAX_PLAIN_LENGTH = 64;
    /** 128 bits of SHA-256: collisions between clients' values are not a practical concern. */
    private static final int HASH_BYTES = 16;
    /** The shared value of a missing header. */
    static final String ABSENT = "-";
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    });

    private BucketKeys() {}

    /** The value of one descriptor for this request, bounded; {@code route} is already bounded. */
    static String part(Descriptor d, RequestContext ctx, Identity id, String route) {
        return switch (d.kind()) {
            case CLIENT -> client(ctx, id);
            case TENANT -> id != null && id.tenant() != null ? "t." + bounded(id.tenant()) : client(ctx, id);
            case IP -> "ip." + bounded(ctx.forwardedClientIp());
            case ROUTE -> route; // bounded once, when the filter is built
            case METHOD -> bounded(ctx.request().method().name());
            case HEADER -> {
                String v = ctx.headers().get(d.header());
                yield v == null ? ABSENT : "v." + bounded(v);
            }
        };
    }

    /** The API key's id, else the token's subject, else (anonymous) the client's address. */
    private static String client(RequestContext ctx, Identity id) {
        if (id != null) {
            if (id.keyId() != null) return "k." + bounded(id.keyId());
            if (id.userId() != null) return "u." + bounded(id.userId());
        }
        return "ip." + bounded(ctx.forwardedClientIp());
    }

    /**
     * The key of {@code policy}'s bucket for this request; {@code slot} receives the hash tag's content.
     * {@code route} is the route's name as {@link #bounded} gives it.
     */
    static String key(String policy, List<Descriptor> descriptors, RequestContext ctx, Identity id, String route,
            String[] slot) {
        if (descriptors.isEmpty()) {
            slot[0] = policy;
            return "{" + policy + "}";
        }
        String first = part(descriptors.get(0), ctx, id, route);
        slot[0] = first;
        StringBuilder b = new StringBuilder(first.length() + policy.length() + 24 * descriptors.size());
        b.append('{').append(first).append("}:").append(policy);
        for (int i = 1; i < descriptors.size(); i++) b.append(':').append(part(descriptors.get(i), ctx, id, route));
        return b.toString();
    }

    /** {@code value} itself when short and plain, else {@code h.} and its hash. */
    static String bounded(String value) {
        if (value == null) return ABSENT;
        int n = value.length();
        if (n == 0) return ABSENT;
        if (n <= MAX_PLAIN_LENGTH) {
            boolean plain = true;
            for (int i = 0; i < n && plain; i++) plain = isPlain(value.charAt(i));
            if (plain) return value;
        }
        MessageDigest md = SHA256.get();
        byte[] digest = md.digest(value.getBytes(StandardCharsets.UTF_8));
        return "h." + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, HASH_BYTES));
    }

    /** Letters, digits and {@code . _ - @}: no separators (':'), no hash-tag braces, nothing to escape. */
    private static boolean isPlain(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-' || c == '@';
    }
}
