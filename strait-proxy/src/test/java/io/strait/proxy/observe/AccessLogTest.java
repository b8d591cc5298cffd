package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.ObservabilityConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 2024-02-29T23:59:58.007Z */
    private static final long START = 1_709_251_198_007L;

    static ExchangeRecord record(String path, String userAgent) {
        return new ExchangeRecord(START, "req-1", "10.0.0.7", "GET", "api.example.com", path, "HTTP/1.1",
                200, 12_345_678, ExchangeRecord.NO_UPSTREAM, 10, 2048, "users", "users-cluster",
                "127.0.0.1:9001", userAgent, "4bf92f3577b34da6a3ce929d0e0e4736", null);
    }

    @Test
    void writesExactlyTheConfiguredFieldsInOrderWithEscaping() {
        var out = new ByteArrayOutputStream();
        var log = new AccessLog(List.of("status", "path", "time", "durationMs", "upstreamMs", "userAgent", "error"),
                out, "test", 16, () -> {});
        log.log(record("/a\"b\\c\nd\u0001é😀\ud800", "ua\u2028x\t"));
        assertThat(log.close(Duration.ofSeconds(5))).isTrue();

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                "{\"status\":200,\"path\":\"/a\\\"b\\\\c\\nd\\u0001é😀\\ud800\",\"time\":\"2024-02-29T23:59:58.007Z\","
                        + "\"durationMs\":12.346,\"upstreamMs\":null,\"userAgent\":\"ua\\u2028x\\t\",\"error\":null}\n");
    }

    @Test
    void theTextFormatIsKeyValuePairsWithMissingValuesAsDashAndOddOnesQuoted() {
        var format = new AccessLogFormat(List.of("status", "path", "userAgent", "error", "tenant", "keyId", "subject", "traceId"), true);
        StringBuilder line = new StringBuilder();
        ExchangeRecord r = record("/a b", "curl/8");
        format.format(new ExchangeRecord(r.startEpochMillis(), r.requestId(), r.client(), r.method(), r.host(), r.path(), r.protocol(),
                r.status(), r.durationNanos(), r.upstreamNanos(), r.bytesIn(), r.bytesOut(), r.route(), r.cluster(), r.upstream(),
                r.userAgent(), r.traceId(), r.error(), new Caller("acme", "k_1", "user=7")), line);
        assertThat(line).hasToString("status=200 path=\"/a b\" userAgent=curl/8 error=- tenant=acme keyId=k_1 subject=\"user=7\""
                + " traceId=4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void manyLinesAcrossSecondsAndTheWriteBufferKeepTheirTimesAndBytes() {
        var out = new ByteArrayOutputStream();
        var log = new AccessLog(List.of("time", "path"), out, "test", 8192, () -> {});
        java.time.format.DateTimeFormatter iso = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            long t = START - 5_000 + i * 7L; // crosses several seconds, and a line every few is not ASCII
            String path = "/" + i + (i % 5 == 0 ? "/é" : "") + "/" + "x".repeat(i % 40);
            log.log(new ExchangeRecord(t, null, null, null, null, path, null, 200, 0, -1, 0, 0, null, null, null, null, null, null));
            expected.add("{\"time\":\"" + iso.format(java.time.Instant.ofEpochMilli(t)) + "\",\"path\":\"" + path + "\"}");
        }
        assertThat(log.close(Duration.ofSeconds(10))).isTrue();
        assertThat(log.droppedCount()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList()).isEqualTo(expected);
    }

    @Test
    void everyKnownFieldIsValidJsonInConfiguredOrder() throws Exception {
        var out = new ByteArrayOutputStream();
        var log = new AccessLog(ConfigLoader.ACCESS_LOG_FIELDS, out, "test", 16, () -> {});
        var r = new ExchangeRecord(START, "id\"1", "::1", "POST", "h", "/p", "HTTP/2.0", 502, 1_000_000,
                250_000, 1, 2, null, "c", "u:1", "curl/8", "t", "upstream_reset");
        log.log(r);
        log.close();

        String line = out.toString(StandardCharsets.UTF_8).strip();
        LinkedHashMap<String, Object> parsed = JSON.readValue(line, new TypeReference<>() {});
        assertThat(new ArrayList<>(parsed.keySet())).isEqualTo(ConfigLoader.ACCESS_LOG_FIELDS);
        assertThat(parsed.get("requestId")).isEqualTo("id\"1");
        assertThat(parsed.get("status")).isEqualTo(502);
        assertThat(parsed.get("route")).isNull();
        assertThat(parsed.get("error")).isEqualTo("upstream_reset");
        assertThat(line).contains("\"durationMs\":1.000,\"upstreamMs\":0.250,");
    }

    @ParameterizedTest
    @CsvSource({"0, 0.000", "499, 0.000", "500, 0.001", "999, 0.001", "1234567, 1.235", "40000, 0.040",
            "12000000000, 12000.000", "-5, 0.000"})
    void durationsHaveThreeDecimals(long nanos, String expected) {
        var sb = new StringBuilder();
        AccessLogFormat.millis(nanos, sb);
        assertThat(sb.toString()).isEqualTo(expected);
    }

    @Test
    void unknownFieldIsRejected() {
        assertThatThrownBy(() -> new AccessLogFormat(List.of("time", "authorization")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("authorization");
    }

    @Test
    void appendsToAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "earlier line\n");
        var log = AccessLog.create(new ObservabilityConfig.AccessLog(true, file.toString(), List.of("requestId", "path")),
                () -> {});
        for (int i = 0; i < 3; i++) log.log(record("/n" + i, null));
        assertThat(log.close(Duration.ofSeconds(5))).isTrue();

        assertThat(Files.readAllLines(file)).containsExactly("earlier line",
                "{\"requestId\":\"req-1\",\"path\":\"/n0\"}",
                "{\"requestId\":\"req-1\",\"path\":\"/n1\"}",
                "{\"requestId\":\"req-1\",\"path\":\"/n2\"}");
    }

    @Test
    void unopenableFileFailsAtCreation(@TempDir Path dir) {
        var config = new ObservabilityConfig.AccessLog(true, dir.resolve("missing/dir/access.log").toString(), List.of("time"));
        assertThatThrownBy(() -> AccessLog.create(config, () -> {}))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("missing/dir/access.log");
    }

    @Test
    void dropsAndCountsWithoutBlockingWhenTheQueueIsFull() throws Exception {
        var stream = new BlockingStream();
        var onDrop = new AtomicInteger();
        int capacity = 4;
        var log = new AccessLog(List.of("path"), stream, "test", capacity, onDrop::incrementAndGet);

        log.log(record("/first", null));
        assertThat(stream.entered.await(5, TimeUnit.SECONDS)).as("writer is stuck in write()").isTrue();

        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (int i = 0; i < capacity + 10; i++) log.log(record("/r" + i, null));
        });
        assertThat(log.droppedCount()).isEqualTo(10);
        assertThat(onDrop.get()).isEqualTo(10);

        stream.release.countDown();
        assertThat(log.close(Duration.ofSeconds(5))).isTrue();
        assertThat(stream.lines()).containsExactly("{\"path\":\"/first\"}", "{\"path\":\"/r0\"}",
                "{\"path\":\"/r1\"}", "{\"path\":\"/r2\"}", "{\"path\":\"/r3\"}");
    }

    @Test
    void closeDrainsEverythingQueuedAndLaterRecordsAreDropped() {
        var out = new ByteArrayOutputStream();
        var log = new AccessLog(List.of("path"), out, "test", 4096, () -> {});
        for (int i = 0; i < 3000; i++) log.log(record("/" + i, null));
        assertThat(log.close(Duration.ofSeconds(10))).isTrue();
        log.log(record("/late", null));

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3000);
        assertThat(lines.get(0)).isEqualTo("{\"path\":\"/0\"}");
        assertThat(lines.get(2999)).isEqualTo("{\"path\":\"/2999\"}");
        assertThat(log.droppedCount()).isEqualTo(1);
    }

    @Test
    void writesArriveWithoutCloseOnceTheQueueRunsEmpty() throws Exception {
        var stream = new BlockingStream();
        stream.release.countDown();
        var log = new AccessLog(List.of("path"), stream, "test", 16, () -> {});
        log.log(record("/x", null));
        await().atMost(Duration.ofSeconds(5)).until(() -> !stream.lines().isEmpty());
        assertThat(stream.lines()).containsExactly("{\"path\":\"/x\"}");
        log.close();
    }

    @Test
    void disabledLogIgnoresRecords() {
        var log = AccessLog.create(new ObservabilityConfig.AccessLog(false, "stdout", List.of("time")), () -> {});
        log.log(record("/", null));
        assertThat(log.enabled()).isFalse();
        assertThat(log.droppedCount()).isZero();
        assertThat(log.close(Duration.ofMillis(1))).isTrue();
    }

    /** Blocks the first write until released, so the writer thread is stuck and the queue fills. */
    private static final class BlockingStream extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            synchronized (data) {
                data.write(b, off, len);
            }
        }

        List<String> lines() {
            synchronized (data) {
                return data.toString(StandardCharsets.UTF_8).lines().toList();
            }
        }
    }
}
