package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client that sends its request body too slowly gets 408 after the listener's requestTimeout. */
class RequestTimeoutTest {
    @Test
    void slowBodyGets408AndTheUpstreamRequestIsAbandoned() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     listeners: [{name: public, address: 127.0.0.1:0, requestTimeout: 400ms}]
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
                     """, Map.of("b", b.address()));
             Socket s = new Socket("127.0.0.1", p.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly-part".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            long t0 = System.nanoTime();
            String res = ProxyFixture.readUntilQuiet(s.getInputStream());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(res).startsWith("HTTP/1.1 408").contains("request_timeout").contains("<EOF>");
            assertThat(ms).isBetween(300L, 3000L);
            assertThat(b.bodyBytes()).isLessThan(100);
        }
    }
}
