package io.strait.cli.authz;

import io.strait.config.model.PathPolicy;
import io.strait.mesh.authz.AuthzDecision;
import io.strait.mesh.authz.AuthzEngine;
import io.strait.mesh.authz.AuthzRequest;
import io.strait.mesh.authz.Peer;
import io.strait.mesh.authz.PolicyException;
import io.strait.mesh.authz.PolicyReader;
import io.strait.proxy.route.PathNormalizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strait authz check}: would this request be allowed? The first output line starts with {@code ALLOW} or
 * {@code DENY} and names the deciding policy and rule. Exit 0 for either answer, {@value #BAD_INPUT} for bad input.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Evaluates a request against policy files; prints ALLOW or DENY and what decided.")
final class CheckCommand implements Callable<Integer> {
    /** picocli's own exit code for bad flags, used for bad policy files and values too. */
    static final int BAD_INPUT = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "AuthorizationPolicy YAML (repeatable)")
    List<Path> policies = new ArrayList<>();

    @Option(names = "--from", paramLabel = "PRINCIPAL",
            description = "caller, e.g. cluster.local/ns/default/sa/checkout or a SPIFFE ID; omit for plaintext")
    String from;

    @Option(names = "--namespace", required = true, paramLabel = "NS", description = "the called workload's namespace")
    String namespace;

    @Option(names = "--labels", split = ",", paramLabel = "k=v", description = "the called workload's labels")
    List<String> labels = new ArrayList<>();

    @Option(names = "--method", required = true, paramLabel = "M", description = "HTTP method")
    String method;

    @Option(names = "--path", required = true, paramLabel = "P", description = "request path (normalized as the proxy does)")
    String path;

    @Option(names = "--header", paramLabel = "K:V", description = "request header (repeatable)")
    List<String> headers = new ArrayList<>();

    @Option(names = "--root-namespace", paramLabel = "NS", description = "namespace whose policies apply mesh-wide (default: ${DEFAULT-VALUE})")
    String rootNamespace = AuthzEngine.DEFAULT_ROOT_NAMESPACE;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> workloadLabels = new LinkedHashMap<>();
        for (String kv : labels) {
            int eq = kv.indexOf('=');
            if (eq <= 0) return bad(err, "--labels: expected k=v, not '" + kv + "'");
            workloadLabels.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Map<String, String> requestHeaders = new LinkedHashMap<>();
        for (String kv : headers) {
            int colon = kv.indexOf(':');
            if (colon <= 0) return bad(err, "--header: expected K:V, not '" + kv + "'");
            requestHeaders.merge(kv.substring(0, colon).trim(), kv.substring(colon + 1).trim(), (a, b) -> a + "," + b);
        }
        PathNormalizer.Result normalized = PathNormalizer.normalize(path, PathPolicy.DEFAULT);
        if (!normalized.ok()) return bad(err, "--path: " + normalized.rejection());
        AuthzEngine engine;
        try {
            engine = new AuthzEngine(PolicyReader.read(policies), rootNamespace);
        } catch (PolicyException e) {
            e.errors().forEach(err::println);
            err.flush();
            return BAD_INPUT;
        }
        AuthzDecision d = engine.forWorkload(namespace, workloadLabels)
                .evaluate(new AuthzRequest(Peer.of(from), method, normalized.path(), requestHeaders));
        out.println(d.describe());
        out.println("  caller: " + (from == null ? "plaintext (no principal)" : Peer.of(from).principal())
                + ", workload: " + namespace + " " + workloadLabels + ", " + method + " " + normalized.path());
        out.flush();
        return 0;
    }

    private static int bad(PrintWriter err, String message) {
        err.println("strait authz check: " + message);
        err.flush();
        return BAD_INPUT;
    }
}
