package io.strait.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.config.model.RouteAuth;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.RequestContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The verified caller is handed to later filters (rate limits key on it) as a request attribute. */
class AuthPolicyFilterTest {
    private static Authenticator verifying(Identity id) {
        return new Authenticator() {
            @Override
            public CompletionStage<AuthOutcome> authenticate(HttpHeaders headers, String query) {
                return CompletableFuture.completedFuture(new AuthOutcome.Verified(id));
            }

            @Override
            public String stripCredential(HttpHeaders headers, String query) {
                return query;
            }

            @Override
            public void close() {}
        };
    }

    private static RequestContext request() {
        return new RequestContext(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x"),
                new InetSocketAddress("127.0.0.1", 5000), false, "HTTP/1.1");
    }

    @Test
    void allOfMergesTheIdentitiesInPolicyOrder() {
        Identity jwt = new Identity("jwt:main", "alice", null, Set.of("a"), null, Map.of("X-Email", "a@x.test"));
        Identity key = new Identity("apiKey", null, "acme", Set.of("b"), "key_1", Map.of("X-Email", "other@x.test"));
        AuthPolicyFilter f = new AuthPolicyFilter(new RouteAuth(RouteAuth.Mode.ALL_OF, List.of("jwt:main", "apiKey"), List.of("a", "b")),
                List.of(new AuthPolicyFilter.Step("jwt:main", verifying(jwt)), new AuthPolicyFilter.Step("apiKey", verifying(key))),
                null, AuthResults.of(null, "r"));
        RequestContext ctx = request();
        assertThat(f.onRequest(ctx)).isSameAs(FilterResult.CONTINUE);
        Identity merged = ctx.attr(Identity.KEY).get();
        assertThat(merged).isEqualTo(new Identity("jwt:main+apiKey", "alice", "acme", Set.of("a", "b"), "key_1",
                Map.of("X-Email", "a@x.test")));
        assertThat(ctx.headers().get("X-Email")).isEqualTo("a@x.test");
        assertThat(ctx.headers().get("X-Scopes")).isEqualTo("a b");
    }

    @Test
    void aRefusedRequestCarriesNoIdentity() {
        Identity jwt = new Identity("jwt:main", "alice", null, Set.of("a"), null, Map.of());
        AuthPolicyFilter f = new AuthPolicyFilter(new RouteAuth(RouteAuth.Mode.ANY_OF, List.of("jwt:main"), List.of("admin")),
                List.of(new AuthPolicyFilter.Step("jwt:main", verifying(jwt))), null, AuthResults.of(null, "r"));
        RequestContext ctx = request();
        assertThat(f.onRequest(ctx)).isInstanceOf(FilterResult.Respond.class);
        assertThat(ctx.attr(Identity.KEY).get()).isNull();
    }
}
