package io.strait.gateway.versioning;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import io.strait.config.model.RouteVersion;
import io.strait.config.model.VersionSetConfig;
import io.strait.config.model.VersionSetConfig.ApiVersion;
import io.strait.config.model.VersionSetConfig.Scheme;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.route.ApiVersions;
import io.strait.proxy.http.ReplyReason;
import java.time.Clock;
import java.time.Instant;

/**
 * The {@code version} filter of one route (its {@code version: {set, name}}). The router already chose the route by
 * the request's version; this filter:
 * <ul>
 *   <li>answers 400 {@code unknown_api_version} (listing the known versions) when the request names a version the set
 *       does not know, and 400 {@code api_version_required} when it names none and the set has no default;</li>
 *   <li>after the version's sunset, answers 410 {@code api_version_sunset} with {@code Sunset} and the successor's
 *       {@code Link}, and the request never goes upstream;</li>
 *   <li>otherwise lets it through and gives the response {@code Deprecation}, {@code Sunset} and {@code Link}
 *       ({@code successor-version}, {@code deprecation}, {@code sunset}) as the version declares them; a date in
 *       the future is sent as well (RFC 9745 and RFC 8594: the version will be deprecated, or retired, then);</li>
 *   <li>counts the calls made once the version is deprecated ({@link DeprecatedCalls}).</li>
 * </ul>
 * Successor links: {@code links.successor} when set; else for the {@code path} scheme the request path with the
 * version segment replaced by the successor's, for the {@code query} scheme the request path and query with the
 * version parameter set to the successor, and for {@code header} and {@code mediaType} the request path (the
 * client names the successor in the header). Immutable; built once per configuration.
 */
final class VersionFilter implements HttpFilter {
    private static final AsciiString DEPRECATION = AsciiString.cached("Deprecation");
    private static final AsciiString SUNSET = AsciiString.cached("Sunset");
    private static final AsciiString LINK = AsciiString.cached("Link");
    /** Set when this filter refused the request's version: its answer is about no version, so it gets no headers. */
    private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("strait.version.refused");

    private final RouteVersion route;
    private final VersionSetConfig set;
    private final ApiVersion version;
    /** Which segment of the request path holds the version (path scheme), else -1. */
    private final int segment;
    private final String deprecationValue;
    private final String sunsetValue;
    private final Clock clock;
    private final DeprecatedCalls calls;

    VersionFilter(RouteVersion route, String routePath, Clock clock, DeprecatedCalls calls) {
        this.route = route;
        this.set = route.versionSet();
        this.version = route.apiVersion();
        this.segment = set.scheme() == Scheme.PATH ? RouteVersion.segmentIndex(routePath, route.version()) : -1;
        this.deprecationValue = version.deprecated() == null ? null : DeprecationHeaders.deprecation(version.deprecated());
        this.sunsetValue = version.sunset() == null ? null : DeprecationHeaders.sunset(version.sunset());
        this.clock = clock;
        this.calls = calls;
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        if (set.scheme() != Scheme.PATH) {
            FilterResult refused = checkRequested(ctx);
            if (refused != null) return refused;
        }
        if (!version.announced()) return FilterResult.CONTINUE;
        Instant now = clock.instant();
        boolean sunset = version.sunset() != null && !now.isBefore(version.sunset());
        boolean deprecated = sunset || version.deprecated() != null && !now.isBefore(version.deprecated());
        if (deprecated) calls.count(set.name(), route.version(), ctx);
        if (!sunset) return FilterResult.CONTINUE;
        // the answer gets Sunset, Deprecation and Link from onResponse, which runs for a filter's own answers too
        String use = version.successor() == null ? "" : "; use " + version.successor();
        return FilterResult.respond(ReplyReason.API_VERSION, HttpResponseStatus.GONE, "api_version_sunset", "version " + route.version()
                + " of API " + set.name() + " was retired on " + sunsetValue + use);
    }

    /** The 400 for a request naming a version the set does not know (or none, without a default); null when fine. */
    private FilterResult checkRequested(RequestContext ctx) {
        String value = ApiVersions.requested(set, ctx.headers(), ctx.query());
        if (value == null) {
            if (set.defaultVersion() != null) return null;
            ctx.attr(REFUSED).set(Boolean.TRUE);
            return FilterResult.respond(ReplyReason.API_VERSION, HttpResponseStatus.BAD_REQUEST, "api_version_required",
                    "name the API version in " + where() + " (known: " + known() + ")");
        }
        if (ApiVersions.resolve(set, value) != null) return null;
        ctx.attr(REFUSED).set(Boolean.TRUE);
        return FilterResult.respond(ReplyReason.API_VERSION, HttpResponseStatus.BAD_REQUEST, "unknown_api_version",
                "unknown API version '" + printable(value) + "' in " + where() + " (known: " + known() + ")");
    }

    private String where() {
        return switch (set.scheme()) {
            case HEADER -> "the " + set.header() + " header";
            case QUERY -> "the query parameter " + set.query();
            case MEDIA_TYPE -> "the Accept header (" + set.mediaType() + "; " + set.parameter() + "=...)";
            case PATH -> "the path";
        };
    }

    private String known() {
        return String.join(", ", set.versions().keySet());
    }

    /** A client's value as an error message may repeat it: at most 64 printable ASCII characters. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }

    @Override
    public void onResponse(RequestContext ctx, HttpResponse response) {
        if (!version.announced() || ctx.attrValue(REFUSED) != null) return;
        if (deprecationValue != null) response.headers().set(DEPRECATION, deprecationValue);
        if (sunsetValue != null) response.headers().set(SUNSET, sunsetValue);
        String links = DeprecationHeaders.links(version, successorUri(ctx));
        if (links != null) response.headers().add(LINK, links);
    }

    /** Where the successor version of this request is, or null when the version has none. */
    String successorUri(RequestContext ctx) {
        if (version.links() != null && version.links().successor() != null) return version.links().successor();
        String next = version.successor();
        if (next == null) return null;
        String path = ctx.path();
        return switch (set.scheme()) {
            case PATH -> SuccessorPaths.swapSegment(path, segment, route.version(), next);
            case QUERY -> path + "?" + SuccessorPaths.withParameter(ctx.query(), set.query(), next);
            case HEADER, MEDIA_TYPE -> path;
        };
    }
}
