package io.strait.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RegionMapTest {
    @Test
    void inverseOf31UndoesTheLastStepOfStringHash() {
        assertThat(31 * RegionMap.INV31).isEqualTo(1);
        Random random = new Random(7);
        for (int t = 0; t < 1000; t++) {
            String s = "/" + Long.toString(random.nextLong(), 36) + "/" + random.nextInt();
            int h = s.hashCode();
            for (int len = s.length(); len > 0; len--) {
                assertThat(h).isEqualTo(s.substring(0, len).hashCode());
                h = (h - s.charAt(len - 1)) * RegionMap.INV31;
            }
            assertThat(h).isZero();
        }
    }

    @Test
    void findsKeysByRegionIncludingCollidingHashes() {
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        Map<String, Integer> entries = new HashMap<>();
        entries.put("Aa", 1);
        entries.put("BB", 2);
        for (int i = 0; i < 500; i++) entries.put("/k" + i, 100 + i);
        RegionMap<Integer> map = new RegionMap<>(entries);
        assertThat(map.size()).isEqualTo(502);
        String s = "xxAaBB";
        assertThat(map.get(s, 2, 4, RegionMap.hash(s, 2, 4))).isEqualTo(1);
        assertThat(map.get(s, 4, 6, RegionMap.hash(s, 4, 6))).isEqualTo(2);
        assertThat(map.get(s, 0, 2, RegionMap.hash(s, 0, 2))).isNull();
        for (int i = 0; i < 500; i++) assertThat(map.get("/k" + i)).isEqualTo(100 + i);
        assertThat(map.get("/k500")).isNull();
        assertThat(new RegionMap<Integer>(Map.of()).get("x")).isNull();
    }
}
