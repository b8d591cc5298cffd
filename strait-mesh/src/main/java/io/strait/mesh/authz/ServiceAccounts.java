package io.strait.mesh.authz;

/**
 * Istio's {@code serviceAccounts} / {@code notServiceAccounts} and the {@code source.serviceAccount} condition:
 * values {@code <namespace>/<account>}, or {@code <account>} for the policy's own namespace, never a wildcard, at
 * most {@value #MAX_VALUES} per field of at most {@value #MAX_LENGTH} characters (Istio's {@code CheckServiceAccount}).
 * A value matches a caller whose principal is {@code <trust-domain>/ns/<namespace>/sa/<account>}, in any trust domain,
 * as Istio's generated regex does for SPIFFE IDs of that shape.
 */
final class ServiceAccounts {
    /** Istio's limit of values per field. */
    static final int MAX_VALUES = 16;
    /** Istio's limit of one value's length. */
    static final int MAX_LENGTH = 320;

    private ServiceAccounts() {}

    /** What is wrong with {@code value}, or null. */
    static String problem(String value) {
        if (value.contains("*")) return "a service account takes no wildcard";
        if (value.length() > MAX_LENGTH) return "a service account is at most " + MAX_LENGTH + " characters";
        int slash = value.indexOf('/');
        if (slash != value.lastIndexOf('/') || slash == 0 || slash == value.length() - 1) {
            return "must be <account> (in the policy's namespace) or <namespace>/<account>, not '" + value + "'";
        }
        return null;
    }

    /** {@code value} with the policy's namespace made explicit: {@code ns/account}. */
    static String qualified(String value, String policyNamespace) {
        return value.indexOf('/') < 0 ? policyNamespace + "/" + value : value;
    }

    /** The principal suffix a qualified value stands for: {@code /ns/<namespace>/sa/<account>}. */
    static String principalSuffix(String qualified) {
        int slash = qualified.indexOf('/');
        return "/ns/" + qualified.substring(0, slash) + "/sa/" + qualified.substring(slash + 1);
    }

    /** Whether {@code principal} ({@code td/ns/N/sa/A}, or null) is the account whose suffix is {@code suffix}. */
    static boolean matches(String principal, String suffix) {
        if (principal == null || !principal.endsWith(suffix)) return false;
        int td = principal.length() - suffix.length();
        return td > 0 && principal.indexOf('/') == td;
    }
}
