package io.strait.proxy.route;

import static io.strait.proxy.route.TestRoutes.exact;
import static io.strait.proxy.route.TestRoutes.get;
import static io.strait.proxy.route.TestRoutes.headers;
import static io.strait.proxy.route.TestRoutes.matched;
import static io.strait.proxy.route.TestRoutes.prefix;
import static io.strait.proxy.route.TestRoutes.regex;
import static io.strait.proxy.route.TestRoutes.req;
import static io.strait.proxy.route.TestRoutes.router;
import static io.strait.proxy.route.TestRoutes.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.strait.config.model.RouteMatch.ValueMatch.Op;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RouterTest {

    @Nested
    class PathKinds {
        @Test
        void exactBeatsTemplateBeatsPrefixBeatsRegexWhateverTheDeclarationOrder() {
            TestRoutes rx = regex("regex", "/users/\\d+");
            TestRoutes px = prefix("prefix", "/users");
            TestRoutes tp = template("template", "/users/{id}");
            TestRoutes ex = exact("exact", "/users/42");
            assertThat(matched(router(rx, px, tp, ex), get("/users/42"))).isEqualTo("exact");
            assertThat(matched(router(rx, px, tp), get("/users/42"))).isEqualTo("template");
            assertThat(matched(router(rx, px), get("/users/42"))).isEqualTo("prefix");
            assertThat(matched(router(rx), get("/users/42"))).isEqualTo("regex");
            assertThat(matched(router(rx, px, tp, ex), get("/orders"))).isNull();
        }

        @Test
        void exactMatchesOnlyTheWholePath() {
            Router r = router(exact("x", "/x"));
            assertThat(matched(r, get("/x"))).isEqualTo("x");
            assertThat(matched(r, get("/x/"))).isNull();
            assertThat(matched(r, get("/x/y"))).isNull();
            assertThat(matched(r, get("/"))).isNull();
        }

        @Test
        void prefixesMatchOnSegmentBoundaries() {
            Router r = router(prefix("users", "/api/users"));
            assertThat(matched(r, get("/api/users"))).isEqualTo("users");
            assertThat(matched(r, get("/api/users/"))).isEqualTo("users");
            assertThat(matched(r, get("/api/users/7"))).isEqualTo("users");
            assertThat(matched(r, get("/api/usersX"))).isNull();
            assertThat(matched(r, get("/api/user"))).isNull();
            assertThat(matched(r, get("/api"))).isNull();
        }

        @Test
        void prefixEndingInSlashMatchesWhatIsUnderIt() {
            Router r = router(prefix("api", "/api/"));
            assertThat(matched(r, get("/api/"))).isEqualTo("api");
            assertThat(matched(r, get("/api/x/y"))).isEqualTo("api");
            assertThat(matched(r, get("/api"))).isNull();
            assertThat(matched(r, get("/apix"))).isNull();
        }

        @Test
        void rootPrefixMatchesEverything() {
            Router r = router(prefix("all", "/"));
            assertThat(matched(r, get("/"))).isEqualTo("all");
            assertThat(matched(r, get("/anything/at/all"))).isEqualTo("all");
        }

        @Test
        void longestPrefixWins() {
            Router r = router(prefix("root", "/"), prefix("api", "/api"), prefix("users", "/api/users"),
                    prefix("users-slash", "/api/users/"));
            assertThat(matched(r, get("/api/users/1"))).isEqualTo("users-slash");
            assertThat(matched(r, get("/api/users"))).isEqualTo("users");
            assertThat(matched(r, get("/api/other"))).isEqualTo("api");
            assertThat(matched(r, get("/apiary"))).isEqualTo("root");
        }

        @Test
        void regexMustMatchTheWholePathInDeclarationOrder() {
            Router r = router(regex("v-digits", "/v\\d+"), regex("v-any", "/v.*"), regex("v1", "/v1"));
            assertThat(matched(r, get("/v1"))).isEqualTo("v-digits");
            assertThat(matched(r, get("/v1/x"))).isEqualTo("v-any");
            assertThat(matched(router(regex("v-digits", "/v\\d+")), get("/v1/x"))).isNull();
        }

        @Test
        void configuredPercentEncodingsCompareInCanonicalForm() {
            Router r = router(exact("cafe", "/caf%c3%a9"), prefix("tilde", "/%7eu"));
            assertThat(matched(r, get("/caf%C3%A9"))).isEqualTo("cafe");
            assertThat(matched(r, get("/~u/x"))).isEqualTo("tilde");
        }
    }

    @Nested
    class Templates {
        @Test
        void paramMatchesOneNonEmptySegment() {
            Router r = router(template("user", "/users/{id}"));
            RouteMatchResult m = r.match(get("/users/42"));
            assertThat(m.route().name()).isEqualTo("user");
            assertThat(m.pathParams()).containsExactly(entry("id", "42"));
            assertThat(r.match(get("/users/"))).isNull();
            assertThat(r.match(get("/users"))).isNull();
            assertThat(r.match(get("/users/42/x"))).isNull();
        }

        @Test
        void moreLiteralSegmentsWinThenMoreSegments() {
            Router r = router(template("a-x-y", "/a/{x}/{y}"), template("p-b-c", "/{p}/b/c"),
                    template("catch", "/a/{**}"), template("a-x-catch", "/a/{x}/{**}"));
            assertThat(matched(r, get("/a/b/c"))).isEqualTo("p-b-c");
            assertThat(matched(r, get("/a/z/c"))).isEqualTo("a-x-y");
            assertThat(matched(r, get("/a/z/c/d"))).isEqualTo("a-x-catch");
            assertThat(matched(r, get("/a/z"))).isEqualTo("a-x-catch");
            assertThat(matched(r, get("/a"))).isEqualTo("catch");
        }

        @Test
        void moreSegmentsWinOnEqualLiterals() {
            Router r = router(template("short", "/a/{**}"), template("long", "/{x}/{y}/{**}"),
                    template("longer", "/a/{x}/{y}"));
            assertThat(matched(r, get("/a/b/c"))).isEqualTo("longer");
            assertThat(matched(r, get("/a/b"))).isEqualTo("short");
            assertThat(matched(r, get("/q/b"))).isEqualTo("long");
        }

        @Test
        void namedSegmentBeatsCatchAllAndTiesGoToDeclarationOrder() {
            Router r = router(template("rest", "/files/{**}"), template("name", "/files/{name}"),
                    template("a-then", "/a/{x}"), template("then-b", "/{y}/b"));
            assertThat(matched(r, get("/files/x"))).isEqualTo("name");
            assertThat(matched(r, get("/a/b"))).isEqualTo("a-then");
            Router tie = router(template("rest", "/files/{**}"), template("files", "/files"));
            assertThat(matched(tie, get("/files"))).isEqualTo("files");
            assertThat(matched(tie, get("/files/x"))).isEqualTo("rest");
        }

        @Test
        void catchAllMatchesZeroOrMoreSegments() {
            Router r = router(template("files", "/files/{**}"));
            assertThat(r.match(get("/files")).pathParams()).containsExactly(entry("**", ""));
            assertThat(r.match(get("/files/")).pathParams()).containsExactly(entry("**", ""));
            assertThat(r.match(get("/files/a/b.txt")).pathParams()).containsExactly(entry("**", "a/b.txt"));
            assertThat(r.match(get("/filesX/a"))).isNull();
            assertThat(matched(router(template("all", "/{**}")), get("/"))).isEqualTo("all");
        }

        @Test
        void extractsEveryParameterInOrder() {
            Router r = router(template("t", "/orgs/{org}/repos/{repo}/{**}"));
            assertThat(r.match(get("/orgs/strait/repos/proxy/tree/main")).pathParams())
                    .containsExactly(entry("org", "strait"), entry("repo", "proxy"), entry("**", "tree/main"));
        }

        @Test
        void failedConditionFallsToTheNextTemplate() {
            Router r = router(template("posts", "/users/{id}/posts").methods("POST"), template("any", "/users/{id}/{x}"));
            assertThat(matched(r, req(null, "POST", "/users/1/posts", null, null))).isEqualTo("posts");
            assertThat(matched(r, get("/users/1/posts"))).isEqualTo("any");
        }

        @Test
        void otherKindsHaveNoParameters() {
            assertThat(router(prefix("p", "/")).match(get("/x")).pathParams()).isEmpty();
        }
    }

    @Nested
    class Conditions {
        @Test
        void sameSpecRoutesAreTriedInDeclarationOrder() {
            Router r = router(exact("first", "/x").methods("POST"), exact("second", "/x"), exact("third", "/x"));
            assertThat(matched(r, req(null, "POST", "/x", null, null))).isEqualTo("first");
            assertThat(matched(r, get("/x"))).isEqualTo("second");
        }

        @Test
        void failedConditionDoesNotStopTheSearch() {
            Router r = router(exact("post-x", "/x").methods("POST"), prefix("root", "/"));
            assertThat(matched(r, get("/x"))).isEqualTo("root");
            assertThat(matched(r, req(null, "POST", "/x", null, null))).isEqualTo("post-x");
        }

        @Test
        void fallsToAShorterPrefixWhenTheLongerOnesConditionsFail() {
            Router r = router(prefix("api", "/api"), prefix("beta", "/api/users").header("x-beta", Op.PRESENT, null));
            assertThat(matched(r, req(null, "GET", "/api/users/1", null, headers("X-Beta", "1")))).isEqualTo("beta");
            assertThat(matched(r, get("/api/users/1"))).isEqualTo("api");
        }

        @Test
        void headerConditionsLookAtTheFirstValue() {
            Router r = router(
                    exact("exact", "/h").header("x-env", Op.EXACT, "prod"),
                    exact("prefix", "/h").header("x-env", Op.PREFIX, "stag"),
                    exact("regex", "/h").header("x-env", Op.REGEX, "dev-\\d+"),
                    exact("absent", "/h").header("x-env", Op.ABSENT, null),
                    exact("present", "/h").header("x-env", Op.PRESENT, null));
            assertThat(matched(r, req(null, "GET", "/h", null, headers("X-Env", "prod", "x-env", "dev-1"))))
                    .isEqualTo("exact");
            assertThat(matched(r, req(null, "GET", "/h", null, headers("x-env", "staging")))).isEqualTo("prefix");
            assertThat(matched(r, req(null, "GET", "/h", null, headers("x-env", "dev-12")))).isEqualTo("regex");
            assertThat(matched(r, req(null, "GET", "/h", null, headers("x-env", "dev-12x")))).isEqualTo("present");
            assertThat(matched(r, req(null, "GET", "/h", null, headers("x-env", "other", "x-env", "prod"))))
                    .isEqualTo("present");
            assertThat(matched(r, get("/h"))).isEqualTo("absent");
        }

        @Test
        void everyConditionMustHold() {
            Router r = router(exact("both", "/b").methods("GET", "HEAD").header("a", Op.PRESENT, null)
                    .query("q", Op.EXACT, "1"));
            assertThat(matched(r, req(null, "HEAD", "/b", "q=1", headers("a", "")))).isEqualTo("both");
            assertThat(matched(r, req(null, "PUT", "/b", "q=1", headers("a", "")))).isNull();
            assertThat(matched(r, req(null, "GET", "/b", "q=2", headers("a", "")))).isNull();
            assertThat(matched(r, req(null, "GET", "/b", "q=1", null))).isNull();
        }

        @Test
        void queryConditionsDecodeNamesAndValues() {
            String query = "a=1&b=x%20y&c+d=e+f&flag&v=1&v=2&caf%C3%A9=%E2%82%AC&bad=%zz";
            assertThat(queryMatches(query, "b", Op.EXACT, "x y")).isTrue();
            assertThat(queryMatches(query, "c d", Op.EXACT, "e f")).isTrue();
            assertThat(queryMatches(query, "café", Op.EXACT, "€")).isTrue();
            assertThat(queryMatches(query, "flag", Op.PRESENT, null)).isTrue();
            assertThat(queryMatches(query, "flag", Op.EXACT, "")).isTrue();
            assertThat(queryMatches(query, "zzz", Op.ABSENT, null)).isTrue();
            assertThat(queryMatches(query, "zzz", Op.PRESENT, null)).isFalse();
            assertThat(queryMatches(query, "a", Op.ABSENT, null)).isFalse();
            assertThat(queryMatches(query, "v", Op.EXACT, "1")).isTrue();
            assertThat(queryMatches(query, "v", Op.EXACT, "2")).isFalse();
            assertThat(queryMatches(query, "b", Op.PREFIX, "x ")).isTrue();
            assertThat(queryMatches(query, "a", Op.REGEX, "\\d")).isTrue();
            assertThat(queryMatches(query, "a", Op.REGEX, "\\d\\d")).isFalse();
            assertThat(queryMatches(query, "bad", Op.EXACT, "%zz")).isTrue();
            assertThat(queryMatches(null, "a", Op.ABSENT, null)).isTrue();
            assertThat(queryMatches(null, "a", Op.EXACT, "1")).isFalse();
            assertThat(queryMatches("", "a", Op.PRESENT, null)).isFalse();
        }

        private boolean queryMatches(String query, String name, Op op, String value) {
            Router r = router(exact("q", "/q").query(name, op, value));
            return matched(r, req(null, "GET", "/q", query, null)) != null;
        }
    }

    @Nested
    class CookieConditions {
        @Test
        void everyOpLooksAtTheNamedCookie() {
            Router r = router(
                    exact("exact", "/c").cookie("ab", Op.EXACT, "b"),
                    exact("prefix", "/c").cookie("ab", Op.PREFIX, "gold"),
                    exact("regex", "/c").cookie("ab", Op.REGEX, "v[0-9]+"),
                    exact("absent", "/c").cookie("ab", Op.ABSENT, null),
                    exact("present", "/c").cookie("ab", Op.PRESENT, null));
            assertThat(matched(r, withCookies("x=1; ab=b; y=2"))).isEqualTo("exact");
            assertThat(matched(r, withCookies("ab=golden"))).isEqualTo("prefix");
            assertThat(matched(r, withCookies("ab=v12"))).isEqualTo("regex");
            assertThat(matched(r, withCookies("ab=v12x"))).isEqualTo("present");
            assertThat(matched(r, withCookies("ab="))).isEqualTo("present");
            assertThat(matched(r, withCookies("abc=b; xab=b"))).isEqualTo("absent");
            assertThat(matched(r, get("/c"))).isEqualTo("absent");
        }

        @Test
        void aCookieConditionFailingFallsToTheNextRoute() {
            Router r = router(prefix("beta", "/app").cookie("ab", Op.EXACT, "b"), prefix("app", "/"));
            assertThat(matched(r, withCookies("/app/x", "ab=b"))).isEqualTo("beta");
            assertThat(matched(r, withCookies("/app/x", "ab=a"))).isEqualTo("app");
            assertThat(matched(r, req(null, "GET", "/app", null, headers("X-Ab", "b")))).isEqualTo("app");
        }

        @Test
        void namesAreCaseSensitiveAndTheFirstCookieOfANameWins() {
            Router r = router(exact("b", "/c").cookie("ab", Op.EXACT, "b"));
            assertThat(matched(r, withCookies("AB=b"))).isNull();
            assertThat(matched(r, withCookies("ab=a; ab=b"))).isNull();
            assertThat(matched(r, withCookies("ab=b; ab=a"))).isEqualTo("b");
        }

        @Test
        void everyCookieHeaderIsSearchedAsHttp2SplitsThem() {
            Router r = router(exact("both", "/c").cookie("a", Op.EXACT, "1").cookie("b", Op.EXACT, "2"));
            assertThat(matched(r, req(null, "GET", "/c", null, headers("cookie", "a=1", "cookie", "b=2")))).isEqualTo("both");
            assertThat(matched(r, req(null, "GET", "/c", null, headers("cookie", "a=1", "cookie", "b=3")))).isNull();
        }

        @Test
        void theParserIsLenientAboutSpacesQuotesAndNamelessPairs() {
            assertThat(Cookies.value("a=1;b=2", "b")).isEqualTo("2");
            assertThat(Cookies.value("  a = 1 ;\tb =  two words ; ", "b")).isEqualTo("two words");
            assertThat(Cookies.value("a=\"quoted\"", "a")).isEqualTo("quoted");
            assertThat(Cookies.value("a=\"", "a")).isEqualTo("\"");
            assertThat(Cookies.value("lonely; a=1", "a")).isEqualTo("1");
            assertThat(Cookies.value("lonely", "lonely")).isNull();
            assertThat(Cookies.value("a=x=y", "a")).isEqualTo("x=y");
            assertThat(Cookies.value("", "a")).isNull();
            assertThat(Cookies.value(";;;", "a")).isNull();
            assertThat(Cookies.value("a", "a")).isNull();
        }

        private RouteRequest withCookies(String cookie) {
            return withCookies("/c", cookie);
        }

        private RouteRequest withCookies(String path, String cookie) {
            return req(null, "GET", path, null, headers("Cookie", cookie));
        }
    }

    @Nested
    class Hosts {
        @Test
        void exactHostTierWinsOverBetterPathMatchesInLaterTiers() {
            Router r = router(exact("any-exact", "/y"), prefix("wild", "/").hosts("*.example.com"),
                    prefix("api-root", "/").hosts("api.example.com"));
            assertThat(matched(r, req("api.example.com", "GET", "/y", null, null))).isEqualTo("api-root");
            assertThat(matched(r, req("www.example.com", "GET", "/y", null, null))).isEqualTo("wild");
            assertThat(matched(r, req("other.org", "GET", "/y", null, null))).isEqualTo("any-exact");
            assertThat(matched(r, req(null, "GET", "/y", null, null))).isEqualTo("any-exact");
            assertThat(matched(r, req("", "GET", "/z", null, null))).isNull();
        }

        @Test
        void tierWithoutAMatchFallsToTheNext() {
            Router r = router(prefix("api-post", "/").hosts("api.example.com").methods("POST"),
                    exact("api-only-x", "/x").hosts("api.example.com"),
                    prefix("wild", "/").hosts("*.example.com"), prefix("any", "/"));
            assertThat(matched(r, req("api.example.com", "POST", "/q", null, null))).isEqualTo("api-post");
            assertThat(matched(r, req("api.example.com", "GET", "/x", null, null))).isEqualTo("api-only-x");
            assertThat(matched(r, req("api.example.com", "GET", "/q", null, null))).isEqualTo("wild");
            assertThat(matched(r, req("api.other.com", "GET", "/q", null, null))).isEqualTo("any");
        }

        @Test
        void wildcardsMatchSubdomainsOnlyLongestSuffixFirst() {
            Router r = router(prefix("example", "/").hosts("*.example.com"),
                    prefix("b-example", "/").hosts("*.b.example.com"), prefix("com", "/").hosts("*.com"));
            assertThat(matched(r, req("a.b.example.com", "GET", "/", null, null))).isEqualTo("b-example");
            assertThat(matched(r, req("x.y.b.example.com", "GET", "/", null, null))).isEqualTo("b-example");
            assertThat(matched(r, req("b.example.com", "GET", "/", null, null))).isEqualTo("example");
            assertThat(matched(r, req("a.c.example.com", "GET", "/", null, null))).isEqualTo("example");
            assertThat(matched(r, req("example.com", "GET", "/", null, null))).isEqualTo("com");
            assertThat(matched(r, req("xexample.com", "GET", "/", null, null))).isEqualTo("com");
            assertThat(matched(r, req("com", "GET", "/", null, null))).isNull();
            assertThat(matched(r, req(".com", "GET", "/", null, null))).isNull();
        }

        @Test
        void routeWithSeveralHostsSitsInEachTier() {
            Router r = router(exact("multi", "/m").hosts("a.test", "*.b.test", "a.test"), prefix("any", "/"));
            assertThat(matched(r, req("a.test", "GET", "/m", null, null))).isEqualTo("multi");
            assertThat(matched(r, req("x.b.test", "GET", "/m", null, null))).isEqualTo("multi");
            assertThat(matched(r, req("c.test", "GET", "/m", null, null))).isEqualTo("any");
        }
    }

    @Nested
    class Rewrite {
        @Test
        void replacesTheMatchedPrefixWithOneSlashAtTheJoint() {
            assertThat(rewrite("/api/v1/users", "/users", "/api/v1/users/42")).isEqualTo("/users/42");
            assertThat(rewrite("/api/v1/users", "/users", "/api/v1/users")).isEqualTo("/users");
            assertThat(rewrite("/api/v1/users", "/users/", "/api/v1/users/42")).isEqualTo("/users/42");
            assertThat(rewrite("/api/v1/users", "/", "/api/v1/users/42")).isEqualTo("/42");
            assertThat(rewrite("/api/v1/users", "/", "/api/v1/users")).isEqualTo("/");
            assertThat(rewrite("/api/", "/v2", "/api/x")).isEqualTo("/v2/x");
            assertThat(rewrite("/api/", "/v2/", "/api/x")).isEqualTo("/v2/x");
            assertThat(rewrite("/", "/base", "/x/y")).isEqualTo("/base/x/y");
            assertThat(rewrite("/", "/base", "/")).isEqualTo("/base");
        }

        @Test
        void replacesAnExactPath() {
            Route route = router(exact("e", "/old").rewrite("/new/place")).match(get("/old")).route();
            assertThat(route.rewritePath("/old")).isEqualTo("/new/place");
        }

        @Test
        void withoutRewriteThePathIsUnchanged() {
            Route route = router(prefix("p", "/api")).match(get("/api/x")).route();
            assertThat(route.rewritePath("/api/x")).isEqualTo("/api/x");
        }

        private String rewrite(String prefix, String to, String path) {
            RouteMatchResult m = router(prefix("p", prefix).rewrite(to)).match(get(path));
            assertThat(m).as("%s matches %s", path, prefix).isNotNull();
            return m.route().rewritePath(path);
        }
    }

    @Test
    void matchReturnsNullForPathsThatAreNotNormalized() {
        Router r = router(prefix("all", "/"));
        assertThat(r.match(get(null))).isNull();
        assertThat(r.match(get(""))).isNull();
        assertThat(r.match(get("x"))).isNull();
    }

    @Test
    void malformedTemplateFailsTheBuildNamingTheRoute() {
        assertThatThrownBy(() -> router(template("bad", "/a/{**}/b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("route bad").hasMessageContaining("{**}");
    }

    @Test
    void emptyRouterMatchesNothing() {
        assertThat(router().match(get("/"))).isNull();
    }
}
