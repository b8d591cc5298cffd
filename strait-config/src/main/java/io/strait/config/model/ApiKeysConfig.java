package io.strait.config.model;

import java.nio.file.Path;
import java.time.Duration;

/**
 * API-key authentication ({@code auth.apiKeys}). Keys are looked up by the SHA-256 hash of what the
 * client sends; the store never holds a plaintext key.
 *
 * @param header the request header carrying the key
 * @param queryParam a query parameter that may carry the key instead, or null (off: keys in URLs end up in logs)
 * @param store where key records live
 * @param cacheTtl how long a found key is trusted without asking the store: a revocation takes effect within this
 * @param negativeCacheTtl how long an unknown key is remembered as unknown (a flood of bad keys does not reach the store)
 * @param forwardKey whether the key header (or parameter) goes upstream (default: removed)
 */
public record ApiKeysConfig(
        String header,
        String queryParam,
        Store store,
        Duration cacheTtl,
        Duration negativeCacheTtl,
        boolean forwardKey) {

    public static final String DEFAULT_HEADER = "X-API-Key";
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_NEGATIVE_CACHE_TTL = Duration.ofSeconds(10);
    /** The file store's default, relative to the working directory. */
    public static final Path DEFAULT_FILE = Path.of(".strait/apikeys.json");
    public static final String DEFAULT_REDIS_PREFIX = "strait:apikey:";

    public enum StoreType { FILE, REDIS }

    /**
     * @param path the key file ({@link StoreType#FILE})
     * @param uri {@code redis://host:port[/db]} ({@link StoreType#REDIS}); may carry a password, redacted in admin output
     * @param keyPrefix Redis key prefix of key records
     */
    public record Store(StoreType type, Path path, String uri, String keyPrefix) {
        public static final Store DEFAULT = new Store(StoreType.FILE, DEFAULT_FILE, null, null);
    }
}
