package io.strait.mesh.xds;

import io.strait.mesh.api.v1.AuthorizationPolicies;
import io.strait.mesh.api.v1.PeerAuthentication;
import io.strait.mesh.api.v1.ServiceEndpoints;
import io.strait.mesh.api.v1.TrafficSettings;
import io.strait.mesh.api.v1.TrustBundle;

/** The resource types of the config stream, named as {@code google.protobuf.Any} names them. */
public final class TypeUrls {
    public static final String PREFIX = "type.googleapis.com/";
    public static final String SERVICE_ENDPOINTS = PREFIX + ServiceEndpoints.getDescriptor().getFullName();
    public static final String TRUST_BUNDLE = PREFIX + TrustBundle.getDescriptor().getFullName();
    public static final String PEER_AUTHENTICATION = PREFIX + PeerAuthentication.getDescriptor().getFullName();
    public static final String AUTHORIZATION_POLICIES = PREFIX + AuthorizationPolicies.getDescriptor().getFullName();
    public static final String TRAFFIC_SETTINGS = PREFIX + TrafficSettings.getDescriptor().getFullName();

    private TypeUrls() {}

    /** The short name for logs and status ({@code ServiceEndpoints}). */
    public static String shortName(String typeUrl) {
        int dot = typeUrl.lastIndexOf('.');
        return dot < 0 ? typeUrl : typeUrl.substring(dot + 1);
    }
}
