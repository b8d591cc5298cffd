package io.strait.filters.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.strait.filters.headers.HeaderChanges;
import io.strait.proxy.filter.BodyAccess;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.MessageBody;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.ErrorResponse;
import io.strait.proxy.http.ReplyReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reshapes requests before they go upstream (headers, then query, path, method; then a JSON body) and responses on
 * their way back (headers, then a JSON body). Bodies are read whole only when the settings change them, up to
 * {@code maxSize}, and changed only when their media type is JSON ({@code application/json},
 * {@code application/*+json}); a gzip response is decoded (bounded by {@code maxSize}), changed and encoded again;
 * everything else passes untouched. A request body that is not valid JSON is a 400; a response that is not is
 * relayed as it came (and counted in {@link #metrics()}). The engine owns the body buffers and sets
 * {@code Content-Length} after a change; a changed response's strong {@code ETag} is made weak (RFC 9110 8.8.1:
 * the bytes are no longer the upstream's).
 */
final class TransformFilter implements HttpFilter {
    private final String owner;
    private final HeaderChanges requestHeaders;
    private final QueryEdits query;
    private final PathTemplate pathTemplate;
    private final Pattern pathRegex;
    private final String pathReplacement;
    private final HttpMethod method;
    private final JsonEdits requestBody;
    private final HeaderChanges responseHeaders;
    private final JsonEdits responseBody;
    private final long responseMaxSize;
    private final boolean rejectLongResponse;
    private final BodyAccess access;
    private final TransformMetrics metrics;

    TransformFilter(TransformConfig config, String owner) {
        this.owner = owner;
        this.metrics = TransformMetrics.of(owner);
        TransformConfig.Request req = config.request();
        TransformConfig.Response res = config.response();
        requestHeaders = req == null ? null : headerChanges(req.headers());
        query = req == null ? null : QueryEdits.of(req.query());
        TransformConfig.PathRewrite path = req == null ? null : req.path();
        pathTemplate = path == null || path.template() == null ? null : PathTemplate.parse(path.template());
        pathRegex = path == null || path.regex() == null ? null : Pattern.compile(path.regex());
        pathReplacement = path == null ? null : path.replacement();
        method = req == null || req.method() == null ? null : HttpMethod.valueOf(req.method());
        requestBody = req == null ? null : JsonEdits.of(req.body());
        responseHeaders = res == null ? null : headerChanges(res.headers());
        responseBody = res == null ? null : JsonEdits.of(res.body());
        responseMaxSize = responseBody == null ? 0 : res.body().maxSize();
        rejectLongResponse = responseBody != null && res.body().overLimit() == BodyAccess.OverLimit.REJECT;
        BodyAccess a = requestBody == null ? BodyAccess.NONE : BodyAccess.request(req.body().maxSize(), BodyAccess.OverLimit.REJECT);
        access = responseBody == null ? a : a.withResponse(responseMaxSize, res.body().overLimit());
    }

    /** One side's header changes (the {@code headers} filter's, with Kong's {@code replace}), or null when none. */
    private static HeaderChanges headerChanges(TransformConfig.Ops ops) {
        return ops == null || ops.isEmpty() ? null
                : HeaderChanges.withReplace(ops.remove(), ops.rename(), ops.replace(), ops.add(), ops.append());
    }

    /** What this route's transform filters did with bodies. */
    TransformMetrics metrics() {
        return metrics;
    }

    @Override
    public BodyAccess bodyAccess() {
        return access;
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        if (requestHeaders != null) requestHeaders.apply(ctx.headers(), ctx);
        if (query != null) query.apply(ctx);
        if (pathTemplate != null) {
            String p = pathTemplate.render(ctx);
            if (p != null) ctx.path(p);
        } else if (pathRegex != null && ctx.path() != null) {
            ctx.path(pathRegex.matcher(ctx.path()).replaceFirst(pathReplacement));
        }
        // a HEAD keeps its method: its response has no body, whatever the headers say
        if (method != null && !HttpMethod.HEAD.equals(ctx.request().method())) ctx.request().setMethod(method);
        return FilterResult.CONTINUE;
    }

    @Override
    public FilterResult onRequestBody(RequestContext ctx, MessageBody body) {
        HttpHeaders h = ctx.headers();
        if (requestBody == null || body.length() == 0 || !isJson(h) || encoded(h.get(HttpHeaderNames.CONTENT_ENCODING))) {
            return FilterResult.CONTINUE;
        }
        JsonNode tree;
        try {
            tree = requestBody.read(Scratch.get().input(body.content()), body.length());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            return FilterResult.respond(ReplyReason.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "invalid_json", "the request body is not valid JSON: " + e.getOriginalMessage() + where);
        } catch (IOException e) {
            return FilterResult.respond(ReplyReason.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "invalid_json", "the request body is not valid JSON");
        }
        if (tree == null || !requestBody.apply(tree, ctx)) return FilterResult.CONTINUE;
        body.replace(JsonSpineWriter.write(tree, body.length(), body.content().alloc()));
        metrics.requestBodyChanged();
        return FilterResult.CONTINUE;
    }

    @Override
    public void onResponse(RequestContext ctx, HttpResponse response) {
        if (responseHeaders != null) responseHeaders.apply(response.headers(), ctx);
    }

    @Override
    public void onResponseBody(RequestContext ctx, HttpResponse response, MessageBody body) {
        HttpHeaders h = response.headers();
        if (responseBody == null || body.length() == 0 || !isJson(h)) return;
        String encoding = h.get(HttpHeaderNames.CONTENT_ENCODING);
        boolean gzip = encoded(encoding);
        if (gzip && !isGzip(encoding)) {
            metrics.responseEncoded();
            return;
        }
        JsonNode tree;
        try {
            if (gzip) {
                byte[] plain = Gzip.inflate(body.content(), responseMaxSize);
                if (plain == null) {
                    metrics.responseOverLimit();
                    if (rejectLongResponse) tooLong(ctx, response, body);
                    return;
                }
                tree = responseBody.read(plain);
            } else {
                tree = responseBody.read(Scratch.get().input(body.content()), body.length());
            }
        } catch (IOException e) { // not JSON, or not gzip: the client gets what the upstream sent
            metrics.responseInvalidJson();
            return;
        }
        if (tree == null || !responseBody.apply(tree, ctx)) return;
        if (gzip) body.replace(Gzip.deflate(JsonSpineWriter.write(tree, body.length())));
        else body.replace(JsonSpineWriter.write(tree, body.length(), body.content().alloc()));
        String etag = h.get(HttpHeaderNames.ETAG);
        if (etag != null && !etag.startsWith("W/")) h.set(HttpHeaderNames.ETAG, "W/" + etag);
        metrics.responseBodyChanged();
    }

    /** A gzip response that decodes past maxSize, with {@code overLimit: reject}: the client gets a 502 instead. */
    private void tooLong(RequestContext ctx, HttpResponse response, MessageBody body) {
        response.setStatus(HttpResponseStatus.BAD_GATEWAY);
        HttpHeaders h = response.headers();
        h.remove(HttpHeaderNames.CONTENT_ENCODING).remove(HttpHeaderNames.ETAG);
        h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        String message = "the response decodes to more than " + responseMaxSize + " bytes, the most route " + owner
                + "'s transform filter reads";
        body.replace(ErrorResponse.json("response_too_large", message, ctx.requestId()).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the media type is JSON: {@code application/json} or {@code application/*+json}, any parameters. */
    static boolean isJson(HttpHeaders h) {
        String type = h.get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null) return false;
        int semi = type.indexOf(';');
        String t = (semi < 0 ? type : type.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return t.equals("application/json") || (t.startsWith("application/") && t.endsWith("+json"));
    }

    /** Whether a body has a content coding (other than identity). */
    private static boolean encoded(String encoding) {
        return encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity");
    }

    private static boolean isGzip(String encoding) {
        String e = encoding.trim();
        return e.equalsIgnoreCase("gzip") || e.equalsIgnoreCase("x-gzip");
    }
}
