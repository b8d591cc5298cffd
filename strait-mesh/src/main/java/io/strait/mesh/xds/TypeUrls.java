package io.strait.mesh.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.strait.mesh.api.v1.TypedResource;

/**
 * The resource types of the config stream, named as {@code google.protobuf.Any} names them
 * ({@code type.googleapis.com/} and the message's full name), and the packing of a resource into its
 * {@link TypedResource}, all without protobuf's descriptors (mesh.proto says why): the names are written out, and
 * {@code TypeUrlsTest} holds them to mesh.proto.
 */
public final class TypeUrls {
    public static final String PREFIX = "type.googleapis.com/";
    private static final String PACKAGE = "strait.mesh.v1.";
    public static final String SERVICE_ENDPOINTS = PREFIX + PACKAGE + "ServiceEndpoints";
    public static final String TRUST_BUNDLE = PREFIX + PACKAGE + "TrustBundle";
    public static final String PEER_AUTHENTICATION = PREFIX + PACKAGE + "PeerAuthentication";
    public static final String AUTHORIZATION_POLICIES = PREFIX + PACKAGE + "AuthorizationPolicies";
    public static final String TRAFFIC_SETTINGS = PREFIX + PACKAGE + "TrafficSettings";

    private TypeUrls() {}

    /** The short name for logs and status ({@code ServiceEndpoints}). */
    public static String shortName(String typeUrl) {
        int dot = typeUrl.lastIndexOf('.');
        return dot < 0 ? typeUrl : typeUrl.substring(dot + 1);
    }

    /** {@code message} as a resource of {@code typeUrl} (one of this class's constants, the message's own type). */
    public static TypedResource pack(String typeUrl, MessageLite message) {
        return TypedResource.newBuilder().setTypeUrl(typeUrl).setValue(message.toByteString()).build();
    }

    /**
     * The message in {@code resource}, which must be of {@code typeUrl}: another type, or bytes that do not
     * parse, are an {@link InvalidProtocolBufferException} saying which.
     */
    public static <T extends MessageLite> T unpack(TypedResource resource, String typeUrl, Parser<T> parser)
            throws InvalidProtocolBufferException {
        if (!resource.getTypeUrl().equals(typeUrl)) {
            throw new InvalidProtocolBufferException("a resource of type '" + resource.getTypeUrl() + "' where "
                    + shortName(typeUrl) + " was expected");
        }
        return parser.parseFrom(resource.getValue());
    }
}
