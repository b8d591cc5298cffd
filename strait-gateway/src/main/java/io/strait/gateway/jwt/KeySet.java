package io.strait.gateway.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An immutable snapshot of a provider's usable signing keys, indexed by {@code kid}. */
final class KeySet {
    /** Real JWKS documents hold 1-5 keys; more than 100 is a broken or hostile endpoint, the rest is ignored. */
    static final int MAX_KEYS = 100;

    private final List<SigningKey> all;
    private final Map<String, List<SigningKey>> byKid;

    private KeySet(List<SigningKey> all) {
        this.all = List.copyOf(all);
        Map<String, List<SigningKey>> m = new HashMap<>();
        for (SigningKey k : all) {
            if (k.kid != null) m.computeIfAbsent(k.kid, x -> new ArrayList<>()).add(k);
        }
        m.replaceAll((kid, keys) -> List.copyOf(keys));
        this.byKid = Map.copyOf(m);
    }

    /**
     * Parses a JWKS document. Keys that cannot be used (symmetric, too small, unknown type, malformed) are skipped one
     * by one; a document without a single usable key is an error, so a broken endpoint never replaces good keys.
     */
    static KeySet parse(byte[] json) throws ParseException {
        Map<String, Object> root = JSONObjectUtils.parse(new String(json, StandardCharsets.UTF_8));
        List<Object> keys = JSONObjectUtils.getJSONArray(root, "keys");
        if (keys == null) throw new ParseException("no keys member", 0);
        List<SigningKey> out = new ArrayList<>();
        for (int i = 0; i < keys.size() && i < MAX_KEYS; i++) {
            if (!(keys.get(i) instanceof Map<?, ?> m)) continue;
            try {
                @SuppressWarnings("unchecked")
                JWK jwk = JWK.parse((Map<String, Object>) m);
                SigningKey k = SigningKey.from(jwk);
                if (k != null) out.add(k);
            } catch (ParseException | JOSEException | RuntimeException e) {
                // skip this key only
            }
        }
        if (out.isEmpty()) throw new ParseException("no usable signing key", 0);
        return new KeySet(out);
    }

    /** The keys a token may have been signed with: those with its kid, or every key when it names none. */
    List<SigningKey> candidates(String kid) {
        return kid == null ? all : byKid.getOrDefault(kid, List.of());
    }

    /** Whether some kid of this set is missing from {@code next} (a key was withdrawn). */
    boolean removedIn(KeySet next) {
        for (String kid : byKid.keySet()) {
            if (!next.byKid.containsKey(kid)) return true;
        }
        return all.stream().anyMatch(k -> k.kid == null) && next != this;
    }

    int size() {
        return all.size();
    }
}
