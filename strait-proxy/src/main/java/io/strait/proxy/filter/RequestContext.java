package io.strait.proxy.filter;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.DefaultAttributeMap;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;

/**
 * The state of one request as filters see it: the request head (mutable until it goes upstream),
 * where it came from, its id, and typed attributes for filters to share state
 * ({@code AttributeKey<T>}, never a string-keyed bag), and the headers filters give the upstream's response.
 */
public final class RequestContext {
    /** Room for three headers (name and value each): the rate limit's X-RateLimit-* (it grows for more). */
    private static final int RESPONSE_HEADERS_CAPACITY = 6;
    private final HttpRequest request;
    private final InetSocketAddress client;
    private String clientIp;
    private String forwardedClientIp;
    private final boolean secure;
    private final String protocol;
    private final long startNanos;
    private final long startEpochMillis;
    private String requestId;
    private String routeName;
    private String query;
    private String path;
    private DefaultAttributeMap attributes;
    private X509Certificate peerCertificate;
    /** The connection's attributes (its channel's), or null when the context has no connection (tests). */
    private io.netty.util.AttributeMap connection;
    /** The event loop the request runs on, or null when the context has no connection (tests). */
    private io.netty.channel.EventLoop eventLoop;
    private java.util.Map<String, String> pathParams = java.util.Map.of();
    private java.util.Map<String, Object> claims = java.util.Map.of();
    /** Names ({@link AsciiString}) and values, alternating, of {@link #setResponseHeader}; null until a filter sets one. */
    private Object[] responseHeaders;
    private int responseHeaderCount;
    /** This hop's span when the request is sampled, else null. */
    private io.strait.proxy.observe.TraceContext trace;
    /** Who the authentication filter found the caller to be, or null. */
    private io.strait.proxy.observe.Caller caller;

    public RequestContext(HttpRequest request, InetSocketAddress client, boolean secure, String protocol) {
        this(request, client, null, secure, protocol);
    }

    /** With the client's IP address as text already known (the connection keeps it), or null. */
    public RequestContext(HttpRequest request, InetSocketAddress client, String clientIp, boolean secure, String protocol) {
        this.request = request;
        this.clientIp = clientIp;
        this.client = client;
        this.secure = secure;
        this.protocol = protocol;
        this.startNanos = System.nanoTime();
        this.startEpochMillis = System.currentTimeMillis();
    }

    public HttpRequest request() {
        return request;
    }

    public HttpHeaders headers() {
        return request.headers();
    }

    public InetSocketAddress client() {
        return client;
    }

    /** The client's IP address as text. */
    public String clientIp() {
        if (clientIp == null) clientIp = ipOf(client);
        return clientIp;
    }

    /**
     * The client's IP as the listener's trusted hops report it: at the edge (no trusted hops) the
     * connection's peer; behind trusted load balancers, the address the nearest of them saw (set by
     * {@link ForwardedHeadersFilter}). What per-client rate limits count by.
     */
    public String forwardedClientIp() {
        return forwardedClientIp != null ? forwardedClientIp : clientIp();
    }

    /** Set by {@link ForwardedHeadersFilter}. */
    public void forwardedClientIp(String ip) {
        this.forwardedClientIp = ip;
    }

    /** An address's IP as text, e.g. {@code 10.0.0.7} or {@code 2001:db8:0:0:0:0:0:1}. */
    public static String ipOf(InetSocketAddress client) {
        return client == null ? "unknown" : client.getAddress() == null ? client.getHostString() : client.getAddress().getHostAddress();
    }

    /** Whether the downstream connection is TLS (for X-Forwarded-Proto). */
    public boolean secure() {
        return secure;
    }

    /** {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}. */
    public String protocol() {
        return protocol;
    }

    public long startNanos() {
        return startNanos;
    }

    public long startEpochMillis() {
        return startEpochMillis;
    }

    public String requestId() {
        return requestId;
    }

    public void requestId(String id) {
        this.requestId = id;
    }

    /** The request's query string without '?' (raw, as normalized), or null; filters may replace it. */
    public String query() {
        return query;
    }

    public void query(String query) {
        this.query = query;
    }

    /** The request's path as the router matched it (normalized, no query); null before routing. */
    public String path() {
        return path;
    }

    /**
     * Set by the exchange once the path is normalized, before the route's filters run; a route's filter may set
     * another (normalized, percent-encoded) path: the upstream gets it (then the route's {@code rewrite}, if any).
     */
    public void path(String normalized) {
        this.path = normalized;
    }

    public String routeName() {
        return routeName;
    }

    public void routeName(String name) {
        this.routeName = name;
    }

    /**
     * The route template's path parameters ({@code {id}} to the segment, still percent-encoded), empty
     * before routing and for routes of other kinds.
     */
    public java.util.Map<String, String> pathParams() {
        return pathParams;
    }

    /** Set by the exchange once the route is chosen. */
    public void pathParams(java.util.Map<String, String> params) {
        this.pathParams = params;
    }

    /**
     * The verified claims of the caller's token (a JWT's payload: strings, numbers, booleans, lists),
     * set by an authentication filter; empty when no token was verified. Never unverified data.
     */
    public java.util.Map<String, Object> claims() {
        return claims;
    }

    /** Set by an authentication filter once a token's signature and claims are verified. */
    public void claims(java.util.Map<String, Object> verified) {
        this.claims = verified;
    }

    /** The client's certificate, verified by the TLS handshake against the listener's CA; null when none. */
    public X509Certificate peerCertificate() {
        return peerCertificate;
    }

    /** Set by the listener before the request is routed. */
    public void peerCertificate(X509Certificate cert) {
        this.peerCertificate = cert;
    }

    /**
     * The event loop the request runs on (where its filters' callbacks run and where a {@code ClusterClient}
     * completes their calls), or null for a context without a connection (tests).
     */
    public io.netty.channel.EventLoop eventLoop() {
        return eventLoop;
    }

    /** Set by the exchange when the request arrives. */
    public void eventLoop(io.netty.channel.EventLoop loop) {
        this.eventLoop = loop;
    }

    /** Set by the listener: the attributes of the request's connection (for HTTP/2, the connection's, not the stream's). */
    public void connection(io.netty.util.AttributeMap attributes) {
        this.connection = attributes;
    }

    /**
     * An attribute of the request's connection, shared by all its requests: where a filter keeps what it derives once
     * per connection (from {@link #peerCertificate()}, say: a connection's certificate never changes). Read and
     * written on the connection's event loop only. A context without a connection gives a per-request attribute.
     */
    public <T> Attribute<T> connectionAttr(AttributeKey<T> key) {
        return connection != null ? connection.attr(key) : attr(key);
    }

    /** The attribute's value, or null when no filter set it (without creating the attribute). */
    public <T> T attrValue(AttributeKey<T> key) {
        return attributes == null || !attributes.hasAttr(key) ? null : attributes.attr(key).get();
    }

    public <T> Attribute<T> attr(AttributeKey<T> key) {
        if (attributes == null) attributes = new DefaultAttributeMap();
        return attributes.attr(key);
    }

    /**
     * Gives the upstream's response head this header, replacing any the upstream sent with that name
     * (e.g. {@code X-RateLimit-*}): a request filter decides it once, the proxy sets it when the head
     * arrives, before the response filters run. Answers a filter gives itself ({@code FilterResult.respond})
     * and the proxy's own errors do not get it; a filter that serves requests itself ({@code FilterResult.reply}:
     * aggregation, GraphQL) adds them to its answer with {@link #addResponseHeaders}. Names are best constants
     * (an AsciiString caches its hash).
     */
    public void setResponseHeader(AsciiString name, CharSequence value) {
        Object[] h = responseHeaders;
        int n = responseHeaderCount;
        if (h == null) {
            h = responseHeaders = new Object[RESPONSE_HEADERS_CAPACITY];
        } else if (n == h.length) {
            h = responseHeaders = java.util.Arrays.copyOf(h, n * 2);
        }
        h[n] = name;
        h[n + 1] = value;
        responseHeaderCount = n + 2;
    }

    /**
     * Adds the headers of {@link #setResponseHeader} to {@code headers}, in the order given: for the answer of a filter
     * that serves the request itself, which carries them as an upstream's response would (e.g. {@code X-RateLimit-*}).
     */
    public void addResponseHeaders(java.util.List<java.util.Map.Entry<String, String>> headers) {
        Object[] h = responseHeaders;
        for (int i = 0; i < responseHeaderCount; i += 2) headers.add(java.util.Map.entry(h[i].toString(), h[i + 1].toString()));
    }

    /** Sets the headers of {@link #setResponseHeader} on {@code headers}, in the order given (the proxy calls it). */
    public void applyResponseHeaders(HttpHeaders headers) {
        Object[] h = responseHeaders;
        for (int i = 0; i < responseHeaderCount; i += 2) headers.set((AsciiString) h[i], h[i + 1]);
    }

    /** This hop's trace context when the request is sampled, else null: calls to clusters make their spans under it. */
    public io.strait.proxy.observe.TraceContext trace() {
        return trace;
    }

    public void trace(io.strait.proxy.observe.TraceContext context) {
        this.trace = context;
    }

    /** The verified caller (tenant, API key id, subject), for the access log; null until an auth filter set it. */
    public io.strait.proxy.observe.Caller caller() {
        return caller;
    }

    /** Set by the authentication filter once a credential is verified: never the credential itself. */
    public void caller(io.strait.proxy.observe.Caller verified) {
        this.caller = verified;
    }
}
