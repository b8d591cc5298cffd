package io.strait.proxy.cluster;

import java.time.Duration;
import java.time.Instant;

/**
 * The outcome of one active health check of an endpoint.
 *
 * @param at when the check finished
 * @param passed true for a 2xx answer within the timeout
 * @param detail the status code ({@code "200"}, {@code "503"}) or why the check failed
 *     ({@code "timeout"}, {@code "connection refused"})
 * @param took how long the check ran
 */
public record HealthCheckResult(Instant at, boolean passed, String detail, Duration took) {}
