package io.strait.proxy.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterChainTest {

    private static final class RequestsOnly implements HttpFilter {
        @Override
        public FilterResult onRequest(RequestContext ctx) {
            return FilterResult.CONTINUE;
        }
    }

    private static class SeesResponses implements HttpFilter {
        @Override
        public FilterResult onRequest(RequestContext ctx) {
            return FilterResult.CONTINUE;
        }

        @Override
        public void onResponse(RequestContext ctx, HttpResponse response) {}
    }

    private static final class InheritsResponses extends SeesResponses {}

    @Test
    void aLinkKnowsWhetherItsFilterLooksAtResponseHeads() {
        FilterChain chain = new FilterChain("r", List.of(
                new FilterChain.Link("a", new RequestsOnly(), BodyAccess.NONE),
                new FilterChain.Link("b", new SeesResponses(), BodyAccess.NONE),
                new FilterChain.Link("c", new InheritsResponses(), BodyAccess.NONE),
                new FilterChain.Link("d", new HttpFilter() {
                    @Override
                    public FilterResult onRequest(RequestContext ctx) {
                        return FilterResult.CONTINUE;
                    }
                }, BodyAccess.NONE)));
        assertThat(chain.link(0).seesResponseHeads()).isFalse();
        assertThat(chain.link(1).seesResponseHeads()).isTrue();
        assertThat(chain.link(2).seesResponseHeads()).isTrue();
        assertThat(chain.link(3).seesResponseHeads()).isFalse();
    }
}
