package io.strait.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.config.model.RateLimitPolicy.Descriptor;
import io.strait.config.model.RateLimitPolicy.Descriptor.Kind;
import io.strait.gateway.auth.Identity;
import io.strait.proxy.filter.RequestContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BucketKeysTest {
    private static final Descriptor CLIENT = new Descriptor(Kind.CLIENT, null);
    private static final Descriptor TENANT = new Descriptor(Kind.TENANT, null);
    private static final Descriptor ROUTE = new Descriptor(Kind.ROUTE, null);
    private static final Descriptor METHOD = new Descriptor(Kind.METHOD, null);
    private static final Descriptor IP = new Descriptor(Kind.IP, null);
    private static final Descriptor TEAM = new Descriptor(Kind.HEADER, "X-Team");

    private static RequestContext request(String... headers) {
        DefaultHttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x");
        for (int i = 0; i < headers.length; i += 2) r.headers().add(headers[i], headers[i + 1]);
        return new RequestContext(r, new InetSocketAddress("10.1.2.3", 5555), false, "HTTP/1.1");
    }

    private static String key(List<Descriptor> d, RequestContext ctx, Identity id, String[] slot) {
        return BucketKeys.key("p", d, ctx, id, "users", slot);
    }

    @Test
    void theFirstDescriptorIsTheHashTagAndTheRestFollowThePolicyName() {
        String[] slot = new String[1];
        Identity key = new Identity("apiKey", null, "acme", Set.of(), "key_abc", Map.of(), "gold");
        assertThat(key(List.of(CLIENT, ROUTE, METHOD), request(), key, slot)).isEqualTo("{k.key_abc}:p:users:POST");
        assertThat(slot[0]).isEqualTo("k.key_abc");
        assertThat(key(List.of(TENANT), request(), key, slot)).isEqualTo("{t.acme}:p");
    }

    @Test
    void theClientIsTheKeyThenTheSubjectThenTheAddress() {
        String[] slot = new String[1];
        Identity jwt = new Identity("jwt:main", "alice", null, Set.of(), null, Map.of());
        assertThat(key(List.of(CLIENT), request(), jwt, slot)).isEqualTo("{u.alice}:p");
        assertThat(key(List.of(CLIENT), request(), null, slot)).isEqualTo("{ip.10.1.2.3}:p");
        assertThat(key(List.of(TENANT), request(), jwt, slot)).isEqualTo("{u.alice}:p"); // no tenant: as client
        assertThat(key(List.of(IP), request(), jwt, slot)).isEqualTo("{ip.10.1.2.3}:p");
    }

    @Test
    void trustedHopsDecideTheAddress() {
        RequestContext ctx = request();
        ctx.forwardedClientIp("203.0.113.9");
        assertThat(key(List.of(IP), ctx, null, new String[1])).isEqualTo("{ip.203.0.113.9}:p");
    }

    @Test
    void withoutDescriptorsEveryoneSharesOneBucket() {
        String[] slot = new String[1];
        assertThat(key(List.of(), request(), null, slot)).isEqualTo("{p}");
        assertThat(slot[0]).isEqualTo("p");
    }

    @Test
    void aMissingHeaderIsOneSharedValueAndAPresentOneIsMarked() {
        String[] slot = new String[1];
        assertThat(key(List.of(ROUTE, TEAM), request(), null, slot)).isEqualTo("{users}:p:-");
        assertThat(key(List.of(ROUTE, TEAM), request("X-Team", "blue"), null, slot)).isEqualTo("{users}:p:v.blue");
        assertThat(key(List.of(ROUTE, TEAM), request("X-Team", "-"), null, slot)).isEqualTo("{users}:p:v.-");
    }

    @Test
    void hugeUnicodeSeparatorAndBraceValuesAreHashedToABoundedPart() {
        String[] slot = new String[1];
        String huge = "x".repeat(30_000);
        for (String v : List.of(huge, "zoë", "日本語", "a:b", "{tag}", "a b", "tab\there")) {
            String k = key(List.of(TEAM), request("X-Team", v), null, slot);
            assertThat(k).startsWith("{v.h.").hasSizeLessThan(40).doesNotContain(" ");
            assertThat(k.substring(1)).doesNotContain("{");
        }
        // different values, different buckets; the same value, the same bucket
        String a = key(List.of(TEAM), request("X-Team", huge), null, slot);
        String b = key(List.of(TEAM), request("X-Team", huge + "y"), null, slot);
        assertThat(a).isNotEqualTo(b).isEqualTo(key(List.of(TEAM), request("X-Team", huge), null, slot));
        // a value that looks like a hash does not collide with the hashed value
        assertThat(BucketKeys.bounded("x".repeat(64))).isEqualTo("x".repeat(64));
        assertThat(BucketKeys.bounded("x".repeat(65))).startsWith("h.").hasSize(24);
    }
}
