package io.strait.cli.apikey;

import io.strait.gateway.apikey.ApiKeyRecord;
import io.strait.gateway.apikey.ApiKeyStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code strait apikey list}: a table of keys (ids and metadata; never a key or a hash). */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists keys: id, tenant, plan, scopes, status, created, expires.")
final class ListCommand extends StoreCommand {
    private static final String[] HEADER = {"ID", "TENANT", "PLAN", "SCOPES", "STATUS", "CREATED", "EXPIRES"};

    @Override
    int run(ApiKeyStore store, PrintWriter out) {
        List<ApiKeyRecord> keys = store.list();
        if (keys.isEmpty()) {
            out.println("No API keys in " + store.describe() + ".");
            out.flush();
            return 0;
        }
        Instant now = Instant.now();
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (ApiKeyRecord r : keys) {
            String status = r.revoked() ? "revoked" : r.expiredAt(now) ? "expired" : "active";
            rows.add(new String[] {r.id(), r.tenant(), r.plan() == null ? "-" : r.plan(),
                    r.scopes().isEmpty() ? "-" : String.join(",", r.scopes()), status, r.createdAt().truncatedTo(ChronoUnit.SECONDS).toString(),
                    r.expiresAt() == null ? "never" : r.expiresAt().toString()});
        }
        int[] width = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) width[i] = Math.max(width[i], row[i].length());
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                if (i > 0) line.append("  ");
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + width[i] + "s", row[i]));
            }
            out.println(line);
        }
        out.flush();
        return 0;
    }
}
