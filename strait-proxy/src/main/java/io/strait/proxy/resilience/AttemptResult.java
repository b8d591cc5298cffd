package io.strait.proxy.resilience;

/** STUB (replaced by the resilience branch). */
public enum AttemptResult {
    OK, SERVER_ERROR, GATEWAY_ERROR, CONNECT_FAILURE, RESET, TIMEOUT, CANCELLED;

    public static AttemptResult ofStatus(int status) {
        if (status == 502 || status == 503 || status == 504) return GATEWAY_ERROR;
        return status >= 500 ? SERVER_ERROR : OK;
    }
}
