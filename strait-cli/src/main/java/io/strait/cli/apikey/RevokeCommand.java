package io.strait.cli.apikey;

import io.strait.gateway.apikey.ApiKeyRecord;
import io.strait.gateway.apikey.ApiKeyStore;
import io.strait.gateway.apikey.ApiKeys;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code strait apikey revoke ID}: marks a key revoked; gateways refuse it within auth.apiKeys.cacheTtl. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = "Revokes a key by id; gateways refuse it within auth.apiKeys.cacheTtl (default 10s).")
final class RevokeCommand extends StoreCommand {
    @Parameters(paramLabel = "ID", description = "the key id (key_...), as apikey list shows it")
    String id;

    @Override
    int run(ApiKeyStore store, PrintWriter out) {
        if (!ApiKeys.validId(id)) return fail("'" + id + "' is not a key id (key_ and 12 letters or digits, see apikey list)");
        Optional<ApiKeyRecord> r = store.revoke(id);
        if (r.isEmpty()) return fail("no key with id " + id + " in " + store.describe());
        out.println("Revoked " + id + " (tenant " + r.get().tenant() + "). Gateways refuse it within"
                + " auth.apiKeys.cacheTtl (default 10s).");
        out.flush();
        return 0;
    }
}
