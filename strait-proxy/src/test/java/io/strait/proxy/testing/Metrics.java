package io.strait.proxy.testing;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of the admin {@code /metrics} (Prometheus text format), parsed into samples. */
public final class Metrics {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One sample line: metric name, labels, value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final String text;
    private final List<Sample> samples;

    private Metrics(String text) {
        this.text = text;
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            Matcher m = SAMPLE.matcher(line.trim());
            if (!m.matches()) throw new AssertionError("not a Prometheus sample line: " + line);
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) labels.put(l.group(1), l.group(2));
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        this.samples = out;
    }

    /** One scrape of {@code proxy}'s admin {@code /metrics}. */
    public static Metrics scrape(ProxyExtension proxy) {
        return scrape(proxy.fixture());
    }

    public static Metrics scrape(ProxyFixture proxy) {
        HttpResponse<String> res = proxy.admin("GET", "/metrics");
        if (res.statusCode() != 200) throw new AssertionError("/metrics answered " + res.statusCode() + ": " + res.body());
        return parse(res.body());
    }

    public static Metrics parse(String text) {
        return new Metrics(text);
    }

    public String text() {
        return text;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The sample with exactly these labels, or NaN when there is none. */
    public double value(String name, Map<String, String> labels) {
        for (Sample s : samples) {
            if (s.name.equals(name) && s.labels.equals(labels)) return s.value;
        }
        return Double.NaN;
    }

    /** The sum over samples whose labels include these (0 when none match). */
    public double sum(String name, Map<String, String> labels) {
        double total = 0;
        for (Sample s : samples) {
            if (s.name.equals(name) && s.labels.entrySet().containsAll(labels.entrySet())) total += s.value;
        }
        return total;
    }
}
