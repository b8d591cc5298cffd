package io.strait.mesh.authz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An {@link AuthorizationPolicy} as JSON, the form the control plane pushes it in: it read and checked the Istio
 * document, the sidecar gets the model (so a service account or condition value qualified by the reader is not
 * qualified twice). Unknown fields are refused.
 */
public final class PolicyJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private PolicyJson() {}

    public static String write(AuthorizationPolicy policy) {
        try {
            return JSON.writeValueAsString(policy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an authorization policy always serialises: " + e.getMessage(), e);
        }
    }

    /** The policy in {@code json}, or an {@link IllegalArgumentException} saying what is wrong with it. */
    public static AuthorizationPolicy read(String json) {
        try {
            AuthorizationPolicy p = JSON.readValue(json, AuthorizationPolicy.class);
            if (p.namespace() == null || p.name() == null || p.action() == null || p.rules() == null || p.selector() == null) {
                throw new IllegalArgumentException("an authorization policy needs namespace, name, selector, action and rules");
            }
            return p;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an authorization policy: " + e.getOriginalMessage());
        }
    }
}
