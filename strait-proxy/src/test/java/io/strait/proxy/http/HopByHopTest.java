package io.strait.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HopByHopTest {

    @ParameterizedTest
    @ValueSource(strings = {"Keep-Alive", "TE", "te", "Trailer", "UPGRADE", "Transfer-Encoding", "Proxy-Connection",
            "proxy-authenticate", "Proxy-Authorization", "Connection"})
    void removesEachHopByHopNameInAnyCase(String name) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Accept", "*/*");
        h.add(name, "x");
        h.add(name, "y");
        HopByHop.strip(h, false);
        assertThat(h.names()).containsExactly("Accept");
    }

    @Test
    void removesWhatConnectionNamesAndKeepsTheRest() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("X-Secret-Hop", "1");
        h.add("X-Keep", "2");
        h.add("connection", "x-secret-hop, close");
        HopByHop.strip(h, false);
        assertThat(h.names()).containsExactly("X-Keep");
    }

    @Test
    void followsEveryConnectionHeaderAndOddSpacing() {
        HttpHeaders h = new DefaultHttpHeaders(false); // the decoder hands over values unvalidated too
        h.add("X-A", "1");
        h.add("X-B", "2");
        h.add("X-C", "3");
        h.add("Keep-Alive", "timeout=5");
        h.add("Connection", " \tkeep-alive ,, X-a\t");
        h.add("CONNECTION", "x-b,");
        HopByHop.strip(h, false);
        assertThat(h.names()).containsExactly("X-C");
    }

    @Test
    void leavesEndToEndHeadersAlone() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Tx", "1"); // same length as TE, different name
        h.add("Trailers", "2");
        h.add("Keep-Alive-X", "3");
        h.add("Content-Length", "4");
        HopByHop.strip(h, false);
        assertThat(h.names()).containsExactlyInAnyOrder("Tx", "Trailers", "Keep-Alive-X", "Content-Length");
        assertThat(HopByHop.isHopByHop("Upgradx")).isFalse();
        assertThat(HopByHop.isHopByHop("upgrade")).isTrue();
    }

    @Test
    void webSocketKeepsUpgrade() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Connection", "Upgrade");
        h.add("Upgrade", "websocket");
        h.add("Keep-Alive", "timeout=5");
        HopByHop.strip(h, true);
        assertThat(h.get("Upgrade")).isEqualTo("websocket");
        assertThat(h.get("Connection")).isEqualToIgnoringCase("upgrade");
        assertThat(h.contains("Keep-Alive")).isFalse();
    }
}
