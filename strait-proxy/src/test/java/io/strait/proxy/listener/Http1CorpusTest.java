package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.strait.proxy.listener.Http1Harness.Response;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of malformed/http1-corpus.txt is refused, answered with JSON, never forwarded, and closes. */
class Http1CorpusTest {
    private static final Map<Integer, String> ERROR_CODES = Map.of(
            400, "bad_request", 405, "method_not_allowed", 413, "payload_too_large", 414, "uri_too_long",
            431, "header_too_large", 501, "not_implemented", 505, "http_version_not_supported");
    private static final Pattern JSON_ERROR =
            Pattern.compile("\\{\"error\":\"([a-z_]+)\",\"message\":\"[^\"\\\\\\p{Cntrl}]+\"}");

    static List<HttpCorpus.Case> corpus() {
        return HttpCorpus.load("/malformed/http1-corpus.txt");
    }

    @Test
    void corpusIsLargeEnough() {
        assertThat(corpus()).hasSizeGreaterThanOrEqualTo(60);
        assertThat(corpus()).extracting(HttpCorpus.Case::name).doesNotHaveDuplicates();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refusedInOneRead(HttpCorpus.Case c) {
        try (Http1Harness h = new Http1Harness()) {
            h.send(c.bytes());

            List<Response> responses = h.responses();
            assertThat(responses).hasSize(1);
            assertRefusal(responses.get(0), c.status());
            assertThat(h.channel.isOpen()).as("connection closed").isFalse();
            assertThat(h.capture.messages).as("nothing forwarded").isEmpty();
            assertThat(h.capture.events).isEmpty();
            assertThat(h.capture.exceptions).isEmpty();
        }
    }

    /**
     * The same bytes, one per read. A head error is still answered with nothing forwarded; an error in a chunked
     * body whose head already passed on becomes a {@link RequestValidator.BodyError} for the proxy handler.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refusedByteByByte(HttpCorpus.Case c) {
        try (Http1Harness h = new Http1Harness()) {
            h.sendByteByByte(c.bytes());

            List<Response> responses = h.responses();
            assertThat(h.capture.exceptions).isEmpty();
            if (h.capture.messages.isEmpty()) {
                assertThat(responses).hasSize(1);
                assertRefusal(responses.get(0), c.status());
                assertThat(h.channel.isOpen()).isFalse();
                assertThat(h.capture.events).isEmpty();
            } else {
                assertThat(responses).as("the proxy handler answers body errors").isEmpty();
                assertThat(h.capture.messages.get(0)).isInstanceOf(HttpRequest.class);
                assertThat(h.capture.messages).noneMatch(LastHttpContent.class::isInstance);
                assertThat(h.capture.events).singleElement().isInstanceOfSatisfying(
                        RequestValidator.BodyError.class, e -> {
                            assertThat(e.status().code()).isEqualTo(c.status());
                            assertThat(e.error()).isEqualTo(ERROR_CODES.get(c.status()));
                        });
            }
        }
    }

    static void assertRefusal(Response r, int status) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.headers()).containsEntry("connection", "close")
                .containsEntry("content-type", "application/json")
                .doesNotContainKey("x-request-id");
        assertThat(r.body()).matches(JSON_ERROR);
        assertThat(r.body()).startsWith("{\"error\":\"" + ERROR_CODES.get(status) + "\"");
    }
}
