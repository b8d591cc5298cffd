package io.strait.cli.explain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.load.FilterCatalog;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.StraitConfig;
import io.strait.gateway.GatewayFilters;
import io.strait.gateway.StandardAuthenticators;
import io.strait.mesh.authz.AuthzFilters;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.route.PathNormalizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strait explain --config FILE GET /api/v1/users/42 -H 'Authorization: Bearer ...'}: offline, which route a
 * request would take (and why the others do not), its filters in order with what each would decide where that can be
 * known, the cluster with its endpoints and balancer, retries, timeouts and splits. The file is read by the same
 * loader and validator as the gateway's, and the route chosen by the engine's own router. Exit 0 whatever the
 * answer (a 404 included), 1 for a configuration with errors, 2 for bad arguments.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Shows offline what a request would meet: route, filters, cluster, policy decisions.")
public final class ExplainCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "configuration file (YAML)")
    Path config;

    @Parameters(index = "0", paramLabel = "METHOD", description = "GET, POST, ...")
    String method;

    @Parameters(index = "1", paramLabel = "TARGET", description = "path and query, e.g. /api/v1/users/42?fields=name")
    String target;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "a request header (repeatable)")
    List<String> headers = new ArrayList<>();

    @Option(names = "--listener", paramLabel = "NAME", description = "the listener it arrives on (default: the first)")
    String listener;

    @Option(names = "--host", paramLabel = "HOST", description = "the Host header (default: none, or -H 'Host: ...')")
    String host;

    @Option(names = "--source-principal", paramLabel = "SPIFFE_ID",
            description = "the mesh caller, e.g. spiffe://cluster.local/ns/shop/sa/web, for authz policies (default: plaintext)")
    String sourcePrincipal;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
    String output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!output.equals("text") && !output.equals("json")) return bad(err, "--output: text or json, not '" + output + "'");
        StraitConfig c;
        try {
            c = ConfigLoader.load(config, catalog());
        } catch (ConfigException e) {
            err.printf("%s: %d error(s)%n", config, e.errors().size());
            for (String line : e.errors()) err.println("  " + line);
            err.flush();
            return 1;
        }
        ListenerConfig l = listener == null ? c.listeners().getFirst()
                : c.listeners().stream().filter(x -> x.name().equals(listener)).findFirst().orElse(null);
        if (l == null) {
            return bad(err, "--listener: no listener '" + listener + "' (the file has "
                    + c.listeners().stream().map(ListenerConfig::name).toList() + ")");
        }
        PathNormalizer.Result norm = PathNormalizer.normalize(target, l.paths());
        ExplainRequest req;
        try {
            req = ExplainRequest.of(method, target, norm.ok() ? norm.path() : target, norm.ok() ? norm.query() : null, host, headers);
        } catch (IllegalArgumentException e) {
            return bad(err, e.getMessage());
        }
        ObjectNode result;
        if (!norm.ok()) {
            result = JSON.createObjectNode();
            result.putObject("answer").put("status", 400).put("error", "bad_request")
                    .put("message", "invalid request path: " + norm.rejection());
        } else {
            result = new Explainer(c, Instant.now()).explain(l, req, sourcePrincipal);
        }
        out.print(output.equals("json") ? JSON.writeValueAsString(result) + "\n" : TextReport.render(result));
        out.flush();
        return 0;
    }

    /** Every filter a gateway or a sidecar config may declare (the mesh's {@code authz} included). */
    static FilterCatalog catalog() {
        List<FilterFactory<?>> all = new ArrayList<>(new GatewayFilters(new StandardAuthenticators()).factories());
        all.addAll(new AuthzFilters().factories());
        return FilterModule.catalogOf(all);
    }

    private static int bad(PrintWriter err, String message) {
        err.println("strait explain: " + message);
        err.flush();
        return 2;
    }
}
