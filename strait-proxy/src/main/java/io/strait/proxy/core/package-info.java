/**
 * What every request reads, below the listeners and the exchange: the process's services an exchange
 * uses ({@link io.strait.proxy.core.Engine}: pools, metrics, access log, tracing, the current
 * generation) and one configuration generation ({@link io.strait.proxy.core.Snapshot}: routers,
 * clusters, filter chains, per-route runtimes), plus the outcome of applying a configuration from any
 * source ({@link io.strait.proxy.core.ApplyResult}). The process itself (binding, reloads, shutdown)
 * is {@code runtime}, which builds these.
 */
package io.strait.proxy.core;
