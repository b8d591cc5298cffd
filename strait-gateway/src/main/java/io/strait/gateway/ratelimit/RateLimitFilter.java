package io.strait.gateway.ratelimit;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.strait.gateway.auth.Identity;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A route's rate limits: charges the request to one bucket per policy (all must have room), answers
 * 429 with {@code Retry-After} when one has none, and adds the {@code X-RateLimit-*} headers of the
 * nearest limit to the upstream's response. Runs after the auth policy, so buckets can be per caller.
 *
 * <p>A local (or hybrid) store answers within this call on the event loop; a Redis store's answer
 * resumes the chain on the loop when it arrives.
 */
public final class RateLimitFilter implements HttpFilter {
    /** What the response headers report: the bucket nearest its limit. */
    record Decision(Bucket bucket, BucketState state, long nowMicros) {}

    static final AttributeKey<Decision> DECISION = AttributeKey.valueOf("strait.rateLimit");

    /** The route's name as a key part (bounded once here, not per request). */
    private final String routeKey;
    private final List<LimitPolicy> policies;
    private final RateLimiter limiter;
    private final RateLimitHeaders headers;
    private final RateLimitResults results;

    RateLimitFilter(String route, List<LimitPolicy> policies, RateLimiter limiter, RateLimitHeaders headers,
            RateLimitResults results) {
        this.routeKey = BucketKeys.bounded(route);
        this.policies = List.copyOf(policies);
        this.limiter = limiter;
        this.headers = headers;
        this.results = results;
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        List<Bucket> buckets = buckets(ctx);
        Verdict now;
        try {
            now = limiter.acquireNow(buckets);
        } catch (RuntimeException e) {
            now = Verdict.UNAVAILABLE;
        }
        if (now != null) return decide(ctx, buckets, now);
        CompletableFuture<Verdict> later = limiter.acquire(buckets).toCompletableFuture();
        if (later.isDone()) return decide(ctx, buckets, later.isCompletedExceptionally() ? Verdict.UNAVAILABLE : later.join());
        return FilterResult.suspend(later
                .handle((v, err) -> FilterResult.onLoop(c -> decide(c, buckets, v != null ? v : Verdict.UNAVAILABLE))));
    }

    private List<Bucket> buckets(RequestContext ctx) {
        Identity id = ctx.attrValue(Identity.KEY);
        String plan = id == null ? null : id.plan();
        String[] slot = new String[1];
        List<Bucket> out = new ArrayList<>(policies.size());
        for (LimitPolicy p : policies) {
            String key = BucketKeys.key(p.name(), p.key(), ctx, id, routeKey, slot);
            out.add(new Bucket(p.name(), key, slot[0], p.rateFor(plan), p.failOpen()));
        }
        return out;
    }

    /** Runs on the request's event loop. */
    private FilterResult decide(RequestContext ctx, List<Bucket> buckets, Verdict v) {
        if (v == Verdict.UNAVAILABLE || v.states().size() != buckets.size()) {
            results.unavailable.inc();
            return FilterResult.respond(HttpResponseStatus.SERVICE_UNAVAILABLE, "rate_limit_unavailable",
                    "the rate-limit store cannot be reached");
        }
        if (!v.allowed()) {
            int refusing = refusing(v.states());
            Bucket b = buckets.get(refusing);
            BucketState s = v.states().get(refusing);
            results.limited(b.policy());
            List<Map.Entry<String, String>> h = headers.refused(b, s, v.nowMicros());
            return FilterResult.respond(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited",
                    "rate limit '" + b.policy() + "' exceeded: retry after " + RateLimitHeaders.retryAfterSeconds(s) + " s", h);
        }
        results.allowed.inc();
        int nearest = nearest(v.states());
        ctx.attr(DECISION).set(new Decision(buckets.get(nearest), v.states().get(nearest), v.nowMicros()));
        return FilterResult.CONTINUE;
    }

    @Override
    public void onResponse(RequestContext ctx, HttpResponse response) {
        Decision d = ctx.attrValue(DECISION);
        if (d != null) headers.allowed(response.headers(), d.bucket(), d.state(), d.nowMicros());
    }

    /** The refusing bucket that lasts longest (the honest Retry-After when several refuse). */
    private static int refusing(List<BucketState> states) {
        int best = -1;
        for (int i = 0; i < states.size(); i++) {
            BucketState s = states.get(i);
            if (!s.allowed() && (best < 0 || s.retryAfterMicros() > states.get(best).retryAfterMicros())) best = i;
        }
        return best < 0 ? 0 : best;
    }

    /** The bucket with the fewest requests left. */
    private static int nearest(List<BucketState> states) {
        int best = 0;
        for (int i = 1; i < states.size(); i++) {
            if (states.get(i).remaining() < states.get(best).remaining()) best = i;
        }
        return best;
    }
}
