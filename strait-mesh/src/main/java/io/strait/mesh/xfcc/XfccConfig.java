package io.strait.mesh.xfcc;

import io.strait.config.model.FilterConfig;
import java.util.List;

/**
 * {@code - xfcc: {by: spiffe://cluster.local/ns/shop/sa/orders}}: the sidecar's own SPIFFE ID, written as the
 * {@code By} element of the {@code X-Forwarded-Client-Cert} header it sets; null leaves {@code By} out.
 */
public record XfccConfig(String by) implements FilterConfig {
    @Override
    public List<Problem> problems() {
        if (by != null && !XfccValue.isUri(by)) return List.of(new Problem("by", XfccReader.BY_SYNTAX));
        return List.of();
    }
}
