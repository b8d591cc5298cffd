package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A plain listener with redirectToHttps answers every request with 308 to the https URL. */
class HttpsRedirectTest {
    static TestBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend("b");
        proxy = ProxyFixture.start("""
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    redirectToHttps: {port: 8443}
                clusters:
                  b: {endpoints: [{address: ${b}}]}
                routes:
                  - {name: all, match: {pathPrefix: /}, cluster: b}
                """, Map.of("b", backend.address()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void everyRequestGetsA308ToHttpsKeepingPathAndQueryOnAKeptAliveConnection() throws Exception {
        String res = proxy.raw("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: shop.example.com:8080\r\n\r\n"
                + "DELETE /c HTTP/1.1\r\nHost: shop.example.com\r\n\r\n", 1000);
        assertThat(res).startsWith("HTTP/1.1 308 Permanent Redirect")
                .contains("location: https://shop.example.com:8443/a/b?x=1&y=2")
                .contains("\"error\":\"https_required\"")
                .contains("location: https://shop.example.com:8443/c")
                .doesNotContain("<EOF>");
        assertThat(res.split("HTTP/1.1 308", -1)).hasSize(3);
        assertThat(backend.requestCount()).isZero();
    }

    @Test
    void aRequestWithABodyIsRedirectedAndTheConnectionClosed() throws Exception {
        String res = proxy.raw("POST /upload HTTP/1.1\r\nHost: shop.example.com\r\nContent-Length: 5\r\n\r\nhello", 2000);
        assertThat(res).startsWith("HTTP/1.1 308").contains("location: https://shop.example.com:8443/upload")
                .containsIgnoringCase("connection: close").contains("<EOF>");
        assertThat(backend.requestCount()).isZero();
    }

    @Test
    void anHttp10RequestWithoutHostIsSentToTheListenersAddress() throws Exception {
        String res = proxy.raw("GET /x HTTP/1.0\r\n\r\n", 1000);
        assertThat(res).startsWith("HTTP/1.1 308").contains("location: https://127.0.0.1:8443/x").contains("<EOF>");
    }

    @Test
    void locationHostsAreOnlyNamesAndAddresses() {
        assertThat(HttpsRedirect.location("evil.com/@x", "/p", 443, "10.0.0.1")).isEqualTo("https://10.0.0.1/p");
        assertThat(HttpsRedirect.location("[::1]:8080", "/p?q", 8443, "h")).isEqualTo("https://[::1]:8443/p?q");
        assertThat(HttpsRedirect.location("a.example.com", "/", 443, "h")).isEqualTo("https://a.example.com/");
    }
}
