package io.strait.proxy.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.DefaultAttributeMap;
import org.junit.jupiter.api.Test;

/** {@link RequestContext#connectionAttr}: one value per connection, shared by its requests; per request without one. */
class ConnectionAttributesTest {
    private static final AttributeKey<String> KEY = AttributeKey.valueOf("test.connectionAttributes");

    private static RequestContext request() {
        return new RequestContext(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), null, true, "HTTP/1.1");
    }

    @Test
    void requestsOfOneConnectionShareItsAttributesAndOtherConnectionsDoNot() {
        DefaultAttributeMap a = new DefaultAttributeMap();
        DefaultAttributeMap b = new DefaultAttributeMap();
        RequestContext first = request();
        first.connection(a);
        first.connectionAttr(KEY).set("made once");

        RequestContext second = request();
        second.connection(a);
        RequestContext elsewhere = request();
        elsewhere.connection(b);
        assertThat(second.connectionAttr(KEY).get()).isEqualTo("made once");
        assertThat(elsewhere.connectionAttr(KEY).get()).isNull();
        assertThat(second.attrValue(KEY)).as("the request's own attributes are apart").isNull();
    }

    @Test
    void withoutAConnectionTheAttributeIsTheRequests() {
        RequestContext r = request();
        r.connectionAttr(KEY).set("mine");
        assertThat(r.attrValue(KEY)).isEqualTo("mine");
        assertThat(request().connectionAttr(KEY).get()).isNull();
    }
}
