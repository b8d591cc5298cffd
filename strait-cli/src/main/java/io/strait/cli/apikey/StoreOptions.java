package io.strait.cli.apikey;

import io.strait.gateway.GatewayFilters;
import ch.qos.logback.classic.Level;
import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.ApiKeysConfig;
import io.strait.config.model.StraitConfig;
import io.strait.gateway.apikey.ApiKeyStore;
import io.strait.gateway.apikey.ApiKeyStores;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Which store a command works on: {@code --config FILE}, {@code --file PATH} or {@code --redis URI}. */
final class StoreOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "use the store of this config's auth.apiKeys")
    Path config;

    @Option(names = "--file", paramLabel = "PATH", description = "a key file (default: .strait/apikeys.json)")
    Path file;

    @Option(names = "--redis", paramLabel = "URI", description = "a Redis store: redis://[:password@]host:port[/db]")
    String redis;

    @Option(names = "--redis-prefix", paramLabel = "PREFIX", description = "Redis key prefix (default: strait:apikey:)")
    String redisPrefix;

    /** Opens the chosen store; the default is the file {@code .strait/apikeys.json}. */
    ApiKeyStore open() {
        int chosen = (config != null ? 1 : 0) + (file != null ? 1 : 0) + (redis != null ? 1 : 0);
        if (chosen > 1) throw new UsageError("choose one of --config, --file and --redis");
        quietLibraries();
        if (config != null) return ApiKeyStores.forManagement(fromConfig());
        if (redis != null) {
            if (!(redis.startsWith("redis://") || redis.startsWith("rediss://"))) {
                throw new UsageError("--redis must be a redis:// or rediss:// URI");
            }
            return ApiKeyStores.forManagement(new ApiKeysConfig.Store(ApiKeysConfig.StoreType.REDIS, null, redis,
                    redisPrefix == null ? ApiKeysConfig.DEFAULT_REDIS_PREFIX : redisPrefix));
        }
        return ApiKeyStores.forManagement(new ApiKeysConfig.Store(ApiKeysConfig.StoreType.FILE,
                file == null ? ApiKeysConfig.DEFAULT_FILE : file, null, null));
    }

    private ApiKeysConfig.Store fromConfig() {
        StraitConfig c;
        try {
            c = ConfigLoader.load(config, GatewayFilters.CATALOG);
        } catch (ConfigException e) {
            throw new UsageError(config + ": " + e.errors().size() + " error(s)\n  " + String.join("\n  ", e.errors()));
        }
        if (c.auth() == null || c.auth().apiKeys() == null) {
            throw new UsageError(config + " has no auth.apiKeys section");
        }
        return c.auth().apiKeys().store();
    }

    /** The command prints its own clear errors; the client libraries' connection chatter is not for a terminal. */
    private static void quietLibraries() {
        if (System.getenv("STRAIT_LOG_LEVEL") != null) return;
        for (String name : new String[] {"io.lettuce", "io.strait.gateway.apikey"}) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) l.setLevel(Level.ERROR);
        }
    }

    /** A mistake in the command line or config: printed as is, exit 1. */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }
}
