package io.strait.mesh.controlplane;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strait.proxy.observe.BuildInfo;
import io.strait.mesh.ca.CaStatus;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.issuance.IssuanceMetrics;
import io.strait.mesh.registry.Registry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * The control plane's {@code /metrics}: certificate expiry (roots included: the "warned about
 * well before" is an alert on {@code strait_mesh_ca_cert_expiry_seconds}), SVIDs issued and refused,
 * registered workloads. Values are read when scraped.
 */
final class ControlPlaneMetrics {
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
    private static final OpenMetricsTextFormatWriter OPENMETRICS_WRITER = OpenMetricsTextFormatWriter.create();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    ControlPlaneMetrics(CertificateAuthority ca, IssuanceMetrics issuance, Registry workloads, Clock clock) {
        GaugeWithCallback.builder().name("strait_mesh_ca_cert_expiry_seconds")
                .help("Seconds until each CA certificate (signing, intermediate, root) expires; negative when expired")
                .labelNames("role", "subject", "serial")
                .callback(cb -> {
                    for (CaStatus.CertExpiry c : ca.status().certificates()) {
                        cb.call(Duration.between(clock.instant(), c.notAfter()).toSeconds(), c.role(), c.subject(), c.serial());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder().name("strait_mesh_svids_valid")
                .help("SPIFFE IDs whose latest SVID from this control plane has not expired yet (the workloads of one account share one)")
                .callback(cb -> cb.call(ca.status().issuedNotAfter().size()))
                .register(registry);
        CounterWithCallback.builder().name("strait_mesh_svids_issued")
                .help("SVIDs issued, by kind: first (for a join token) or renewal (for the current SVID)")
                .labelNames("kind")
                .callback(cb -> {
                    cb.call(issuance.issuedFirst(), "first");
                    cb.call(issuance.issuedRenewal(), "renewal");
                })
                .register(registry);
        CounterWithCallback.builder().name("strait_mesh_svid_requests_refused")
                .help("Certificate requests refused, by reason")
                .labelNames("reason")
                .callback(cb -> issuance.refusedByReason().forEach((r, n) -> cb.call(n, r.name().toLowerCase())))
                .register(registry);
        GaugeWithCallback.builder().name("strait_mesh_workloads")
                .help("Workloads in the registry")
                .callback(cb -> cb.call(workloads.snapshot().size()))
                .register(registry);
        BuildInfo.register(registry);
    }

    /** Every metric, in OpenMetrics text when {@code openMetrics} (the scraper asked for it), else Prometheus text. */
    byte[] scrape(boolean openMetrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (openMetrics) OPENMETRICS_WRITER.write(out, registry.scrape());
        else writer.write(out, registry.scrape());
        return out.toByteArray();
    }
}
