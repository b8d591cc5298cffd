package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.TestBackend;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole malformed-request corpus replayed over real sockets against a real proxy: each case is
 * refused with its status and a JSON body, the connection closes, and the backend never sees a byte
 * of it.
 */
class MalformedThroughProxyTest {
    static TestBackend backend;

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.of("""
            listeners:
              - name: public
                address: 127.0.0.1:0
                protocols: [http1]
                maxRequestLineLength: 256
                maxHeaderSize: 1024
                maxHeaderCount: 20
                maxRequestBodySize: 1000000
            clusters: {web: {endpoints: [{address: ${b}}]}}
            routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
            """).withBackend("b");

    @BeforeAll
    static void backends() {
        backend = proxy.backend("b");
    }

    static List<HttpCorpus.Case> corpus() {
        return HttpCorpus.load("/malformed/http1-corpus.txt");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refusedAndNeverForwarded(HttpCorpus.Case c) throws Exception {
        int before = backend.requestCount();
        String res = proxy.raw(c.bytes(), 3000);
        assertThat(res).as(c.name()).startsWith("HTTP/1.1 " + c.status() + " ");
        String body = res.substring(res.indexOf("\r\n\r\n") + 4, res.lastIndexOf('}') + 1);
        assertThat(Json.parse(body).get("error").asText()).as(c.name()).isNotBlank();
        assertThat(res).as(c.name()).containsAnyOf("<EOF>", "<RESET>");
        assertThat(backend.requestCount()).as(c.name() + " reached the backend").isEqualTo(before);
    }
}
