package io.strait.cli.apikey;

import io.strait.gateway.apikey.ApiKeyStore;
import io.strait.gateway.apikey.ApiKeyStoreException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A subcommand that works on one store: opens it, runs, closes it; errors become one line and exit 1. */
abstract class StoreCommand implements Callable<Integer> {
    @Mixin
    StoreOptions store;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        try (ApiKeyStore s = store.open()) {
            return run(s, spec.commandLine().getOut());
        } catch (StoreOptions.UsageError | ApiKeyStoreException | IllegalArgumentException e) {
            return fail(e.getMessage());
        }
    }

    abstract int run(ApiKeyStore store, PrintWriter out);

    int fail(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("strait apikey " + spec.name() + ": " + message);
        err.flush();
        return 1;
    }
}
