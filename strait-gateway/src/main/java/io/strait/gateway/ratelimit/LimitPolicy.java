package io.strait.gateway.ratelimit;

import io.strait.config.model.RateLimitPolicy;
import io.strait.config.model.RateLimitPolicy.Descriptor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A configured policy, ready for the request path: its rate, the plans' rates, its key's descriptors
 * and its failure policy.
 */
record LimitPolicy(String name, Rate rate, Map<String, Rate> plans, List<Descriptor> key, boolean failOpen) {
    static LimitPolicy of(RateLimitPolicy p) {
        Map<String, Rate> plans = new HashMap<>();
        p.plans().forEach((plan, r) -> plans.put(plan, new Rate(r.limit(), r.window(), r.burst())));
        return new LimitPolicy(p.name(), new Rate(p.limit(), p.window(), p.burst()), Map.copyOf(plans), List.copyOf(p.key()),
                p.onStoreError() == RateLimitPolicy.OnStoreError.OPEN);
    }

    /** The rate for a caller on {@code plan} (null: no plan): the plan's own when the policy gives one. */
    Rate rateFor(String plan) {
        if (plan == null || plans.isEmpty()) return rate;
        Rate r = plans.get(plan);
        return r != null ? r : rate;
    }
}
