package io.strait.proxy.listener;

import io.strait.config.model.HostPort;
import java.util.Locale;

/**
 * A listening socket that could not be opened, with the reason as a person reads it ({@code address already in use},
 * {@code permission denied}, {@code cannot assign requested address}), not as the native call reports it
 * ({@code bind(..) failed with error(-98): Address already in use}). The caller names what it was for:
 * {@code listeners[0] 'public' 0.0.0.0:8080: address already in use}.
 */
public final class CannotBind extends IllegalStateException {
    private final HostPort address;
    private final String problem;

    CannotBind(HostPort address, Throwable cause) {
        this(address, describe(cause), cause);
    }

    public CannotBind(HostPort address, String problem, Throwable cause) {
        super(address + ": " + problem, cause);
        this.address = address;
        this.problem = problem;
    }

    public HostPort address() {
        return address;
    }

    /** Why, without the address: {@code address already in use}. */
    public String problem() {
        return problem;
    }

    /** The reason of a failed bind in lower case, without the native call's prefix. */
    public static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) return e.getClass().getSimpleName();
        int colon = m.lastIndexOf("): ");
        if (m.startsWith("bind(") && colon > 0) m = m.substring(colon + 3); // Netty's native transports
        return m.toLowerCase(Locale.ROOT);
    }
}
