/**
 * The dashboard of the admin API: the page ({@code GET /ui}), the last minute of request metrics read from the
 * Prometheus registry once a second ({@code GET /stats/history}) and the recent errors ({@code GET /errors}).
 * Read-only, off the request path.
 */
package io.strait.proxy.dashboard;
