package io.strait.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    @Test
    void newKeysHaveTheScannableShapeAndDiffer() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String k = ApiKeys.newKey();
            assertThat(k).startsWith("strait_").hasSize(50).matches("strait_[A-Za-z0-9_-]{43}");
            assertThat(ApiKeys.wellFormed(k)).isTrue();
            assertThat(seen.add(k)).isTrue();
        }
    }

    @Test
    void idsAreShortAndValid() {
        String id = ApiKeys.newId();
        assertThat(id).matches("key_[a-z2-7]{12}");
        assertThat(ApiKeys.validId(id)).isTrue();
        assertThat(ApiKeys.validId("key_../etc")).isFalse();
    }

    @Test
    void hashIsSha256LowercaseHex() {
        assertThat(ApiKeys.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(ApiKeys.hashEquals(ApiKeys.hash("abc"), ApiKeys.hash("abc"))).isTrue();
        assertThat(ApiKeys.hashEquals(ApiKeys.hash("abc"), ApiKeys.hash("abd"))).isFalse();
        assertThat(ApiKeys.hashEquals(null, "x")).isFalse();
    }

    @Test
    void malformedKeysAreRecognised() {
        String good = ApiKeys.newKey();
        assertThat(ApiKeys.wellFormed(good.substring(1))).isFalse();
        assertThat(ApiKeys.wellFormed(good + "x")).isFalse();
        assertThat(ApiKeys.wellFormed("Bearer " + good)).isFalse();
        assertThat(ApiKeys.wellFormed("strait_" + "a".repeat(300))).isFalse();
        assertThat(ApiKeys.wellFormed(good.substring(0, 49) + "%")).isFalse();
        assertThat(ApiKeys.wellFormed(null)).isFalse();
    }

    @Test
    void recordsRejectBadTenantsAndScopes() {
        assertThatThrownBy(() -> record("bad tenant", List.of())).hasMessageContaining("tenant 'bad tenant'");
        assertThatThrownBy(() -> record("", List.of())).hasMessageContaining("tenant is required");
        assertThatThrownBy(() -> record("acme", List.of("a b"))).hasMessageContaining("scope 'a b'");
        assertThat(record("acme-1", List.of("users:read")).scopes()).containsExactly("users:read");
    }

    private static ApiKeyRecord record(String tenant, List<String> scopes) {
        return new ApiKeyRecord("key_aaaaaaaaaaaa", tenant, null, List.of(), scopes, ApiKeyRecord.Status.ACTIVE,
                Instant.now(), null);
    }
}
