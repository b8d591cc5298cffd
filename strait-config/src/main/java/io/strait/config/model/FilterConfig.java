package io.strait.config.model;

/**
 * The settings of one filter in a route's or listener's {@code filters:} list: an immutable record,
 * read once when the configuration loads and shared by every request. Each filter's package defines
 * its own record and the reader that builds it ({@link io.strait.config.load.FilterReader}).
 */
public interface FilterConfig {}
