package io.strait.gateway.versioning;

import io.strait.proxy.testing.Downstream;
import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.ProxyFixture;
import org.junit.jupiter.api.AfterEach;

/** {@link VersionSetsProxyTest} over HTTP/2 (prior knowledge): the same selection, headers and answers. */
class VersionSetsOverHttp2Test extends VersionSetsProxyTest {
    private H2Client h2;

    @Override
    Downstream downstream(ProxyFixture gateway) {
        return Downstream.http2(gateway, this::connection);
    }

    private synchronized H2Client connection() {
        try {
            if (h2 == null || !h2.channel().isActive()) {
                if (h2 != null) h2.close();
                h2 = new H2Client("127.0.0.1", proxy.port());
            }
            return h2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void closeConnection() {
        if (h2 != null) h2.close();
    }
}
