package io.strait.proxy.filter;

import io.strait.proxy.http.StraitHeaders;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keeps a client's {@code X-Request-Id} when it is well formed (1-128 characters of letters,
 * digits and {@code -_.:}) and replaces it with a fresh random id otherwise, so a request id can
 * never carry log-injection payloads.
 */
public final class RequestIdFilter implements HttpFilter {
    private static final int MAX_LENGTH = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        String id = ctx.headers().get(StraitHeaders.REQUEST_ID);
        if (id == null || !wellFormed(id) || ctx.headers().getAll(StraitHeaders.REQUEST_ID).size() > 1) {
            id = newId();
            ctx.headers().set(StraitHeaders.REQUEST_ID, id);
        }
        ctx.requestId(id);
        return FilterResult.CONTINUE;
    }

    static boolean wellFormed(String id) {
        int n = id.length();
        if (n == 0 || n > MAX_LENGTH) return false;
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) return false;
        }
        return true;
    }

    /** 128 random bits as 32 hex characters; ThreadLocalRandom, since ids need uniqueness, not secrecy. */
    public static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = r.nextLong();
        long lo = r.nextLong();
        char[] out = new char[32];
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }
}
