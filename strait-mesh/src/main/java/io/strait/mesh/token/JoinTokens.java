package io.strait.mesh.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.store.ControlPlaneStore;
import io.strait.mesh.store.ControlPlaneStore.Entry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Join tokens, the bootstrap credential of a sidecar: one per service account, made by an operator
 * ({@code strait control-plane token create}), redeemed once (or up to a stated number of times) for
 * the account's first SVID. A token is {@value #PREFIX} then 256 random bits, base64url; it is shown
 * once and only its SHA-256 is stored, under {@code tokens/<hex of the hash>}. Redemption is a
 * compare-and-set on the stored entry, so two sidecars racing for a single-use token cannot both win.
 * The caller of {@link #redeem} learns only "refused"; the log says why (unknown, expired, used up),
 * naming the token by its id (the first {@value #ID_HEX_CHARS} hex digits of its hash), never the token.
 */
public final class JoinTokens {
    private static final Logger LOG = LoggerFactory.getLogger(JoinTokens.class);
    /** Marks a Strait join token, so that secret scanners and humans recognise one. */
    public static final String PREFIX = "sjt_";
    /** 256 bits of randomness: beyond guessing, as for any bearer credential. */
    public static final int RANDOM_BYTES = 32;
    /** A token is single use unless its creator says otherwise. */
    public static final int DEFAULT_MAX_USES = 1;
    /** Bounded use (a deployment of several replicas of one account), but never unbounded. */
    public static final int MAX_USES = 1000;
    /** The shortest life worth a token: the time to start a sidecar with it. */
    public static final Duration MIN_TTL = Duration.ofMinutes(1);
    /** A bootstrap credential lives days, not months: a longer need is a new token. */
    public static final Duration MAX_TTL = Duration.ofDays(30);
    /** Hex digits of the hash that name a token in logs and listings (not enough to redeem it). */
    public static final int ID_HEX_CHARS = 12;
    /** How often a redemption retries a lost compare-and-set before giving up (each retry rereads). */
    private static final int MAX_CAS_ATTEMPTS = 32;
    private static final String KEY_PREFIX = "tokens/";
    private static final Pattern SHAPE = Pattern.compile(Pattern.quote(PREFIX) + "[A-Za-z0-9_-]{43}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ControlPlaneStore store;
    private final String trustDomain;
    private final Clock clock;
    private final SecureRandom random;

    public JoinTokens(ControlPlaneStore store, String trustDomain, Clock clock, SecureRandom random) {
        String bad = SpiffeId.checkTrustDomain(trustDomain);
        if (bad != null) throw new IllegalArgumentException(bad);
        this.store = store;
        this.trustDomain = trustDomain;
        this.clock = clock;
        this.random = random;
    }

    /** A token for {@code namespace/account}, valid for {@code ttl} and {@code maxUses} redemptions; stores only its hash. */
    public CompletableFuture<IssuedToken> create(String namespace, String account, Duration ttl, int maxUses) {
        String bad = checkRequest(namespace, account, ttl, maxUses);
        if (bad != null) return CompletableFuture.failedFuture(new IllegalArgumentException(bad));
        byte[] secret = new byte[RANDOM_BYTES];
        random.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        byte[] hash = sha256(token);
        String hex = HexFormat.of().formatHex(hash);
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        StoredToken record = new StoredToken(hex, namespace, account, now, expires, maxUses, 0);
        return store.compareAndSet(KEY_PREFIX + hex, ControlPlaneStore.ABSENT, record.json()).thenApply(ok -> {
            if (!ok) throw new IllegalStateException("a token with the same hash exists already");
            LOG.info("join token {} created for {}/{}, expires {}, uses {}", id(hex), namespace, account, expires, maxUses);
            return new IssuedToken(token, id(hex), namespace, account, expires, maxUses);
        });
    }

    /** Null when the request is sound, else what is wrong (for a CLI or API error). */
    public static String checkRequest(String namespace, String account, Duration ttl, int maxUses) {
        String bad = SpiffeId.checkSegment("namespace", namespace);
        if (bad == null) bad = SpiffeId.checkSegment("account", account);
        if (bad != null) return bad;
        if (ttl == null || ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
            return "the token's ttl must be between " + MIN_TTL.toMinutes() + "m and " + MAX_TTL.toDays() + "d";
        }
        if (maxUses < 1 || maxUses > MAX_USES) return "the token's uses must be between 1 and " + MAX_USES;
        return null;
    }

    /**
     * The identity {@code token} grants, counting one use; fails with {@link TokenRefusedException}
     * (the same message whatever the reason) when the token is unknown, expired or used up.
     */
    public CompletableFuture<SpiffeId> redeem(String token) {
        if (token == null || !SHAPE.matcher(token).matches()) return refused(TokenRefusedException.Reason.MALFORMED, "-");
        byte[] hash = sha256(token);
        String hex = HexFormat.of().formatHex(hash);
        return attempt(hex, hash, 1);
    }

    private CompletableFuture<SpiffeId> attempt(String hex, byte[] hash, int n) {
        return store.get(KEY_PREFIX + hex).thenCompose(found -> {
            if (found.isEmpty()) return refused(TokenRefusedException.Reason.UNKNOWN, id(hex));
            Entry e = found.get();
            StoredToken t = StoredToken.parse(e.value());
            if (!MessageDigest.isEqual(HexFormat.of().parseHex(t.hashHex()), hash)) return refused(TokenRefusedException.Reason.UNKNOWN, id(hex));
            Instant now = clock.instant();
            if (!now.isBefore(t.expiresAt())) return refused(TokenRefusedException.Reason.EXPIRED, id(hex));
            if (t.uses() >= t.maxUses()) return refused(TokenRefusedException.Reason.USED_UP, id(hex));
            StoredToken used = t.withUses(t.uses() + 1);
            return store.compareAndSet(e.key(), e.version(), used.json()).thenCompose(won -> {
                if (won) {
                    SpiffeId id = new SpiffeId(trustDomain, t.namespace(), t.account());
                    LOG.info("join token {} redeemed for {} (use {} of {})", id(hex), id, used.uses(), used.maxUses());
                    return CompletableFuture.completedFuture(id);
                }
                if (n >= MAX_CAS_ATTEMPTS) return CompletableFuture.failedFuture(new IllegalStateException("join token " + id(hex) + ": too much contention"));
                return attempt(hex, hash, n + 1);
            });
        });
    }

    /** Deletes tokens that expired before now; returns how many. A control plane runs it now and then. */
    public CompletableFuture<Integer> purgeExpired() {
        Instant now = clock.instant();
        return store.list(KEY_PREFIX).thenCompose(entries -> {
            CompletableFuture<Integer> count = CompletableFuture.completedFuture(0);
            for (Entry e : entries) {
                if (now.isBefore(StoredToken.parse(e.value()).expiresAt())) continue;
                count = count.thenCombine(store.delete(e.key(), e.version()), (c, ok) -> ok ? c + 1 : c);
            }
            return count;
        });
    }

    /** The tokens as stored (hash ids, never secrets), for a listing. */
    public CompletableFuture<List<StoredToken>> list() {
        return store.list(KEY_PREFIX).thenApply(es -> es.stream().map(e -> StoredToken.parse(e.value())).toList());
    }

    private static <T> CompletableFuture<T> refused(TokenRefusedException.Reason reason, String id) {
        LOG.warn("join token {} refused: {}", id, reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        return CompletableFuture.failedFuture(new TokenRefusedException(reason));
    }

    static String id(String hex) {
        return hex.substring(0, ID_HEX_CHARS);
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The cause of a failed future, unwrapped ({@link CompletionException} adds a layer). */
    public static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** A token as the store holds it: its hash, never the token. */
    public record StoredToken(String hashHex, String namespace, String account, Instant createdAt, Instant expiresAt, int maxUses, int uses) {
        public String id() {
            return JoinTokens.id(hashHex);
        }

        StoredToken withUses(int u) {
            return new StoredToken(hashHex, namespace, account, createdAt, expiresAt, maxUses, u);
        }

        byte[] json() {
            ObjectNode o = JSON.createObjectNode();
            o.put("sha256", hashHex).put("namespace", namespace).put("account", account)
                    .put("createdAt", createdAt.toString()).put("expiresAt", expiresAt.toString())
                    .put("maxUses", maxUses).put("uses", uses);
            try {
                return JSON.writeValueAsBytes(o);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static StoredToken parse(byte[] json) {
            try {
                JsonNode o = JSON.readTree(json);
                return new StoredToken(o.get("sha256").asText(), o.get("namespace").asText(), o.get("account").asText(),
                        Instant.parse(o.get("createdAt").asText()), Instant.parse(o.get("expiresAt").asText()),
                        o.get("maxUses").asInt(), o.get("uses").asInt());
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("a stored join token is damaged", e);
            }
        }
    }

    /** For {@link Optional}-free callers: whether {@code t} failed because the token was refused. */
    public static boolean isRefusal(Throwable t) {
        return cause(t) instanceof TokenRefusedException;
    }
}
