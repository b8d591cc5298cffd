package io.strait.proxy.core;

import io.strait.config.model.ListenerConfig;
import io.strait.proxy.filter.FilterChain;
import io.strait.proxy.route.Router;

/**
 * A listener's part of one {@link Snapshot}: its settings, the filters its requests run first and the
 * router of its routes. A connection looks it up once per generation ({@link Snapshot#listener(ListenerConfig)})
 * and keeps it while the generation lasts, so a request pays no lookup by name.
 *
 * @param config this generation's settings, or the settings the connection was bound with when a reload
 *     removed the listener
 * @param removed whether a reload removed the listener (its connections serve one more request, then close)
 */
public record ListenerRuntime(ListenerConfig config, FilterChain filters, Router router, boolean removed) {}
