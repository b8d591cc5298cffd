package io.strait.gateway.ratelimit;

import io.strait.config.model.RateLimitPolicy.Descriptor;
import io.strait.config.model.RateLimitPolicy.Descriptor.Kind;
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

    /** What a part's value is, written before it: {@code k.key_abc}, {@code ip.10.0.0.7}; a route or method has none. */
    private enum Marker {
        KEY("k."), USER("u."), TENANT("t."), IP("ip."), VALUE("v."), NONE("");

        final String text;
        /** The start of a key whose first part has this marker. */
        final String open;

        Marker(String text) {
            this.text = text;
            this.open = "{" + text;
        }
    }

    /** The value of one descriptor for this request, bounded; {@code route} is already bounded. */
    static String part(Descriptor d, RequestContext ctx, Identity id, String route) {
        String v = value(d, ctx, id, route);
        if (v == null) return ABSENT;
        Marker m = marker(d, id);
        return m == Marker.NONE ? v : m.text + v;
    }

    /**
     * The part's value without its marker, bounded; null for a missing header. The client is the API key's id, else
     * the token's subject, else (anonymous) the client's address; the tenant, when the caller has none, is the client.
     */
    private static String value(Descriptor d, RequestContext ctx, Identity id, String route) {
        return switch (d.kind()) {
            case CLIENT, TENANT -> {
                if (d.kind() == Kind.TENANT && id != null && id.tenant() != null) yield bounded(id.tenant());
                if (id != null && id.keyId() != null) yield bounded(id.keyId());
                if (id != null && id.userId() != null) yield bounded(id.userId());
                yield bounded(ctx.forwardedClientIp());
            }
            case IP -> bounded(ctx.forwardedClientIp());
            case ROUTE -> route; // bounded once, when the filter is built
            case METHOD -> bounded(ctx.request().method().name());
            case HEADER -> {
                String v = ctx.headers().get(d.header());
                yield v == null ? null : bounded(v);
            }
        };
    }

    /** The marker of {@link #value}'s answer (the same choices, so a key id and a subject never share a bucket). */
    private static Marker marker(Descriptor d, Identity id) {
        return switch (d.kind()) {
            case CLIENT, TENANT -> {
                if (d.kind() == Kind.TENANT && id != null && id.tenant() != null) yield Marker.TENANT;
                if (id != null && id.keyId() != null) yield Marker.KEY;
                if (id != null && id.userId() != null) yield Marker.USER;
                yield Marker.IP;
            }
            case IP -> Marker.IP;
            case HEADER -> Marker.VALUE;
            case ROUTE, METHOD -> Marker.NONE;
        };
    }

    /**
     * The key of {@code policy}'s bucket for this request; {@code slot} receives the hash tag's content.
     * {@code route} is the route's name as {@link #bounded} gives it.
     */
    static String key(String policy, List<Descriptor> descriptors, RequestContext ctx, Identity id, String route,
            String[] slot) {
        Bucket b = new Template(policy, descriptors, route).bucket(ctx, id, null, false);
        slot[0] = b.slot();
        return b.key();
    }

    /**
     * One policy's keys on one route, prepared when the filter is built: the parts that cannot change (the route, the
     * policy's name) are joined once, so the usual key ({@code [client]}, {@code [client, route]}) is one string
     * concatenation per request, and a key of constant parts only is not built at all.
     */
    static final class Template {
        private final String policy;
        private final List<Descriptor> descriptors;
        private final String route;
        /** The whole key when no part depends on the request, else null. */
        private final String constantKey;
        private final String constantSlot;
        /** {@code }:policy} and the parts after the first, when those are all constant; else null. */
        private final String constantTail;

        Template(String policy, List<Descriptor> descriptors, String route) {
            this.policy = policy;
            this.descriptors = List.copyOf(descriptors);
            this.route = route;
            boolean restConstant = true;
            StringBuilder tail = new StringBuilder("}:").append(policy);
            for (int i = 1; i < descriptors.size(); i++) {
                restConstant &= descriptors.get(i).kind() == Kind.ROUTE;
                tail.append(':').append(route);
            }
            constantTail = restConstant ? tail.toString() : null;
            if (descriptors.isEmpty()) {
                constantSlot = policy;
                constantKey = "{" + policy + "}";
            } else if (restConstant && descriptors.get(0).kind() == Kind.ROUTE) {
                constantSlot = route;
                constantKey = "{" + route + constantTail;
            } else {
                constantSlot = null;
                constantKey = null;
            }
        }

        /** The bucket of this request; its slot is read from the key when a store asks for it. */
        Bucket bucket(RequestContext ctx, Identity id, Rate rate, boolean failOpen) {
            if (constantKey != null) return new Bucket(policy, constantKey, constantSlot, rate, failOpen);
            Descriptor first = descriptors.get(0);
            String value = value(first, ctx, id, route);
            String open = value == null ? Marker.NONE.open : marker(first, id).open;
            if (value == null) value = ABSENT;
            if (constantTail != null) return new Bucket(policy, open + value + constantTail, rate, failOpen);
            StringBuilder b = new StringBuilder(open.length() + value.length() + policy.length() + 24 * descriptors.size());
            b.append(open).append(value).append("}:").append(policy);
            for (int i = 1; i < descriptors.size(); i++) b.append(':').append(part(descriptors.get(i), ctx, id, route));
            return new Bucket(policy, b.toString(), rate, failOpen);
        }
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
