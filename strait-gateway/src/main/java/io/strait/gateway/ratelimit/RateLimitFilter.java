package io.strait.gateway.ratelimit;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.strait.gateway.auth.Identity;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.ReplyReason;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A route's rate limits: charges the request to one bucket per policy (all must have room), answers
 * 429 with {@code Retry-After} when one has none, and gives the upstream's response the {@code X-RateLimit-*}
 * headers of the nearest limit ({@link RequestContext#setResponseHeader}). Runs after the auth policy, so
 * buckets can be per caller.
 *
 * <p>A local (or hybrid) store answers within this call on the event loop; a Redis store's answer
 * resumes the chain on the loop when it arrives. What does not change between requests (key templates,
 * header texts) is prepared here, once per route.
 */
public final class RateLimitFilter implements HttpFilter {
    /** One policy on this route, ready for the request path. */
    private record Limit(LimitPolicy policy, BucketKeys.Template keys, RateLimitHeaders.Texts texts,
            RateLimitHeaders.Texts[] planTexts) {
        static Limit of(LimitPolicy p, String routeKey) {
            RateLimitHeaders.Texts[] plans = p.plans().values().stream()
                    .map(r -> RateLimitHeaders.texts(p.name(), r)).toArray(RateLimitHeaders.Texts[]::new);
            return new Limit(p, new BucketKeys.Template(p.name(), p.key(), routeKey), RateLimitHeaders.texts(p.name(), p.rate()),
                    plans);
        }

        /** The header texts of the rate the bucket was charged at: the policy's, or one of its plans'. */
        RateLimitHeaders.Texts textsOf(Bucket b) {
            if (b.rate() == texts.rate()) return texts;
            for (RateLimitHeaders.Texts t : planTexts) {
                if (t.rate() == b.rate()) return t;
            }
            return RateLimitHeaders.texts(policy.name(), b.rate()); // not one of ours: made on the spot
        }
    }

    private final Limit[] limits;
    private final RateLimiter limiter;
    private final RateLimitHeaders headers;
    private final RateLimitResults results;

    RateLimitFilter(String route, List<LimitPolicy> policies, RateLimiter limiter, RateLimitHeaders headers,
            RateLimitResults results) {
        String routeKey = BucketKeys.bounded(route); // the route's name as a key part, bounded once here
        this.limits = policies.stream().map(p -> Limit.of(p, routeKey)).toArray(Limit[]::new);
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
        if (limits.length == 1) return List.of(bucket(limits[0], ctx, id, plan));
        Bucket[] out = new Bucket[limits.length];
        for (int i = 0; i < out.length; i++) out[i] = bucket(limits[i], ctx, id, plan);
        return Arrays.asList(out); // read-only from here on
    }

    private static Bucket bucket(Limit l, RequestContext ctx, Identity id, String plan) {
        LimitPolicy p = l.policy();
        return l.keys().bucket(ctx, id, p.rateFor(plan), p.failOpen());
    }

    /** Runs on the request's event loop. */
    private FilterResult decide(RequestContext ctx, List<Bucket> buckets, Verdict v) {
        if (v == Verdict.UNAVAILABLE || v.states().size() != buckets.size()) {
            results.unavailable.inc();
            return FilterResult.respond(ReplyReason.RATE_LIMITED, HttpResponseStatus.SERVICE_UNAVAILABLE, "rate_limit_unavailable",
                    "the rate-limit store cannot be reached");
        }
        if (!v.allowed()) {
            int refusing = refusing(v.states());
            Bucket b = buckets.get(refusing);
            BucketState s = v.states().get(refusing);
            results.limited(b.policy());
            List<Map.Entry<String, String>> h = headers.refused(b, s, v.nowMicros());
            return FilterResult.respond(ReplyReason.RATE_LIMITED, HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited",
                    "rate limit '" + b.policy() + "' exceeded: retry after " + RateLimitHeaders.retryAfterSeconds(s) + " s", h);
        }
        results.allowed.inc();
        int nearest = nearest(v.states());
        headers.allowed(ctx, limits[nearest].textsOf(buckets.get(nearest)), v.states().get(nearest), v.nowMicros());
        return FilterResult.CONTINUE;
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
