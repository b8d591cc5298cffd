package io.strait.config.model;

import java.time.Duration;

/**
 * Active HTTP health checking: {@code GET path} on each endpoint every {@code interval}; a 2xx
 * within {@code timeout} is a pass. An endpoint turns unhealthy after {@code unhealthyThreshold}
 * failures in a row and healthy again after {@code healthyThreshold} passes in a row.
 */
public record HealthCheckConfig(
        String path,
        String host,
        Duration interval,
        Duration timeout,
        int healthyThreshold,
        int unhealthyThreshold) {}
