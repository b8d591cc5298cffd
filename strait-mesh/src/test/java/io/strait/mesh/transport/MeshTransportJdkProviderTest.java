package io.strait.mesh.transport;

import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every transport test again on the JDK's TLS, the fallback where BoringSSL does not load: who may connect and who
 * the server says calls must not depend on the provider.
 */
class MeshTransportJdkProviderTest extends MeshTransportTest {
    @BeforeAll
    static void jdk() {
        MeshTransport.forcedProvider = SslProvider.JDK;
    }

    @AfterAll
    static void normal() {
        MeshTransport.forcedProvider = null;
    }

    @Override
    SslProvider expectedProvider() {
        return SslProvider.JDK;
    }
}
