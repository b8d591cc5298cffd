/**
 * API versions run side by side ({@code versionSets}): the route filter a route's {@code version:} expands to, which
 * answers 400 for a version the set does not know, announces a version's deprecation and sunset (RFC 9745
 * {@code Deprecation}, RFC 8594 {@code Sunset}, RFC 8288 {@code Link} relations), answers 410 after the sunset, and
 * counts the calls of deprecated versions per client. The router ({@code io.strait.proxy.route}) chooses the route.
 */
package io.strait.gateway.versioning;
