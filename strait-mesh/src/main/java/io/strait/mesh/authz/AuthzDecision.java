package io.strait.mesh.authz;

/**
 * The outcome of one evaluation: allowed or not, the policy ({@code namespace/name}) and rule index that decided
 * (null and -1 when no policy decided), a human reason, and the AUDIT policy that matched, if any.
 */
public record AuthzDecision(boolean allowed, String policy, int rule, String reason, String audit) {
    /** The first output line of {@code strait authz check}: {@code ALLOW ...} or {@code DENY ...}. */
    public String describe() {
        String verdict = allowed ? "ALLOW" : "DENY";
        String by = policy == null ? reason : "policy " + policy + " rule " + rule + " (" + reason + ")";
        return verdict + " " + by + (audit == null ? "" : "; audited by " + audit);
    }
}
