package io.strait.proxy.testing;

/**
 * The protocol a test client speaks to the proxy's listener. The integration suite runs over both with
 * {@code @ParameterizedClass @EnumSource(ClientProtocol.class)} and {@code proxy.over(protocol)}.
 */
public enum ClientProtocol {
    /** The JDK {@link java.net.http.HttpClient} pinned to HTTP/1.1. */
    HTTP_1_1,
    /**
     * HTTP/2 in clear text with prior knowledge (h2c), through {@link H2Client}: the JDK client reaches
     * h2c only by an {@code Upgrade} that Strait does not offer (it would quietly fall back to HTTP/1.1).
     */
    HTTP_2
}
