package io.strait.proxy.tls;

import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every upstream TLS test again with the JDK's provider, which serves where BoringSSL does not load:
 * the subjectAltName check, SNI and client certificates must not depend on the provider.
 */
class UpstreamTlsJdkProviderTest extends UpstreamTlsTest {
    @BeforeAll
    static void jdk() {
        TlsContexts.forcedProvider = SslProvider.JDK;
    }

    @AfterAll
    static void normal() {
        TlsContexts.forcedProvider = null;
    }
}
