package io.strait.cli.apikey;

import io.strait.gateway.apikey.ApiKeyRecord;
import io.strait.gateway.apikey.ApiKeyStore;
import io.strait.gateway.apikey.IssuedKey;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strait apikey create --tenant T}: makes a key, stores its hash, prints the key once. */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a key and prints it once (only its hash is stored).")
final class CreateCommand extends StoreCommand {
    private static final Pattern RELATIVE = Pattern.compile("(\\d{1,6})([smhd])");

    @Option(names = "--tenant", required = true, paramLabel = "T", description = "tenant of the key (X-Tenant-ID)")
    String tenant;

    @Option(names = "--scopes", split = ",", paramLabel = "a,b", description = "granted scopes")
    List<String> scopes = new ArrayList<>();

    @Option(names = "--plan", paramLabel = "P", description = "plan name (for rate-limit policies)")
    String plan;

    @Option(names = "--expires", paramLabel = "WHEN", description = "30d, 12h, 90m, or an instant such as 2027-01-01T00:00:00Z")
    String expires;

    @Option(names = {"-q", "--quiet"}, description = "print the key alone, for scripts: KEY=$(strait apikey create ... -q)")
    boolean quiet;

    @Override
    int run(ApiKeyStore store, PrintWriter out) {
        Instant now = Instant.now();
        String bad = ApiKeyRecord.checkTenant(tenant);
        if (bad != null) return fail(bad);
        IssuedKey k = IssuedKey.issue(store, tenant, plan, scopes.stream().filter(s -> !s.isEmpty()).toList(),
                List.of(), expiry(expires, now), now);
        ApiKeyRecord r = k.record();
        if (quiet) {
            out.println(k.key());
            out.flush();
            return 0;
        }
        out.println("Created API key " + r.id() + " for tenant " + r.tenant() + " in " + store.describe()
                + (r.expiresAt() != null ? ", expires " + r.expiresAt() : ""));
        out.println();
        out.println("  " + k.key());
        out.println();
        out.println("Copy it now: it will not be shown again (only its hash is stored).");
        out.flush();
        return 0;
    }

    /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s} from now, or an ISO-8601 instant. */
    static Instant expiry(String s, Instant now) {
        if (s == null) return null;
        Matcher m = RELATIVE.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            if (d.isZero()) throw new IllegalArgumentException("--expires must be in the future");
            return now.plus(d);
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--expires '" + s + "': use 30d, 12h, 90m or an instant such as 2027-01-01T00:00:00Z");
        }
    }
}
