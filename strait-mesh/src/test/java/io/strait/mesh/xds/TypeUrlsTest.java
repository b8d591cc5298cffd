package io.strait.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strait.mesh.api.v1.Endpoint;
import io.strait.mesh.api.v1.ServiceEndpoints;
import io.strait.mesh.api.v1.TrustBundle;
import io.strait.mesh.api.v1.TypedResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TypeUrlsTest {
    private static final List<String> ALL = List.of(TypeUrls.SERVICE_ENDPOINTS, TypeUrls.TRUST_BUNDLE,
            TypeUrls.PEER_AUTHENTICATION, TypeUrls.AUTHORIZATION_POLICIES, TypeUrls.TRAFFIC_SETTINGS);

    @Test
    void eachTypeUrlNamesAMessageOfMeshProto() throws Exception {
        String proto = Files.readString(Path.of("src/main/proto/strait/mesh/v1/mesh.proto"));
        assertThat(proto).contains("package strait.mesh.v1;");
        for (String url : ALL) {
            assertThat(url).startsWith("type.googleapis.com/strait.mesh.v1.");
            String name = TypeUrls.shortName(url);
            assertThat(proto).as(url).containsPattern("(?m)^message " + name + " \\{");
            assertThat(Class.forName("io.strait.mesh.api.v1." + name)).as(url).isNotNull();
        }
        assertThat(ALL).doesNotHaveDuplicates();
    }

    @Test
    void aPackedResourceUnpacksToTheSameMessage() throws Exception {
        ServiceEndpoints se = ServiceEndpoints.newBuilder().setNamespace("shop").setService("orders")
                .addEndpoints(Endpoint.newBuilder().setAddress("10.0.0.7:8443").setSpiffeId("spiffe://td/ns/shop/sa/orders")
                        .addLabels(io.strait.mesh.api.v1.Label.newBuilder().setKey("version").setValue("v2")))
                .build();
        TypedResource r = TypeUrls.pack(TypeUrls.SERVICE_ENDPOINTS, se);
        assertThat(r.getTypeUrl()).isEqualTo(TypeUrls.SERVICE_ENDPOINTS);
        assertThat(TypeUrls.unpack(r, TypeUrls.SERVICE_ENDPOINTS, ServiceEndpoints.parser())).isEqualTo(se);
    }

    @Test
    void aResourceOfAnotherTypeOrWithBrokenBytesIsRefusedSayingWhy() {
        TypedResource bundle = TypeUrls.pack(TypeUrls.TRUST_BUNDLE, TrustBundle.newBuilder().addRootsPem("x").build());
        assertThatThrownBy(() -> TypeUrls.unpack(bundle, TypeUrls.SERVICE_ENDPOINTS, ServiceEndpoints.parser()))
                .isInstanceOf(InvalidProtocolBufferException.class)
                .hasMessageContaining("strait.mesh.v1.TrustBundle").hasMessageContaining("ServiceEndpoints was expected");
        TypedResource broken = TypedResource.newBuilder().setTypeUrl(TypeUrls.SERVICE_ENDPOINTS)
                .setValue(ByteString.copyFrom(new byte[] {(byte) 0x0a, (byte) 0x7f, 'x'})).build();
        assertThatThrownBy(() -> TypeUrls.unpack(broken, TypeUrls.SERVICE_ENDPOINTS, ServiceEndpoints.parser()))
                .isInstanceOf(InvalidProtocolBufferException.class);
    }

    /** The field was a google.protobuf.Any before: either form reads the other's bytes. */
    @Test
    void theWireFormIsGoogleProtobufAnys() throws Exception {
        ServiceEndpoints se = ServiceEndpoints.newBuilder().setNamespace("shop").setService("users").build();
        TypedResource ours = TypeUrls.pack(TypeUrls.SERVICE_ENDPOINTS, se);
        Any any = Any.parseFrom(ours.toByteArray());
        assertThat(any.getTypeUrl()).isEqualTo(TypeUrls.SERVICE_ENDPOINTS);
        assertThat(ServiceEndpoints.parseFrom(any.getValue())).isEqualTo(se);
        Any theirs = Any.newBuilder().setTypeUrl(TypeUrls.SERVICE_ENDPOINTS).setValue(se.toByteString()).build();
        assertThat(TypeUrls.unpack(TypedResource.parseFrom(theirs.toByteArray()), TypeUrls.SERVICE_ENDPOINTS,
                ServiceEndpoints.parser())).isEqualTo(se);
    }
}
