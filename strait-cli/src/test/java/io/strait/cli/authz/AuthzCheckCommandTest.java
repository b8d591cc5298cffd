package io.strait.cli.authz;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code strait authz check}: its first line, and exit codes 0 for either answer and 2 for bad input. */
class AuthzCheckCommandTest {
    @TempDir
    Path dir;
    Path policy;

    record Run(int code, String out, String err) {
        String first() {
            return out.lines().findFirst().orElse("");
        }
    }

    private static Run strait(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void writePolicy() throws Exception {
        policy = Files.writeString(dir.resolve("policy.yaml"), """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: orders-post, namespace: shop}
                spec:
                  selector: {matchLabels: {app: orders}}
                  rules:
                  - from: [{source: {principals: ["cluster.local/ns/shop/sa/gateway"]}}]
                    to: [{operation: {methods: ["POST"], paths: ["/orders*"]}}]
                  - to: [{operation: {methods: ["GET"]}}]
                    when: [{key: "request.headers[x-debug]", values: ["1"]}]
                """);
    }

    private Run check(String... more) {
        String[] base = {"authz", "check", "--policy", policy.toString(), "--namespace", "shop", "--labels", "app=orders,version=v1"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return strait(all);
    }

    @Test
    void allowedNamesPolicyAndRule() {
        Run r = check("--from", "cluster.local/ns/shop/sa/gateway", "--method", "POST", "--path", "/orders/./42");
        assertThat(r.code()).isZero();
        assertThat(r.first()).isEqualTo("ALLOW policy shop/orders-post rule 0 (ALLOW policy matched)");
        assertThat(r.out()).contains("POST /orders/42");
        Run header = check("--method", "GET", "--path", "/x", "--header", "X-Debug: 1");
        assertThat(header.first()).startsWith("ALLOW policy shop/orders-post rule 1");
    }

    @Test
    void deniedForOtherCallerAndPlaintext() {
        Run other = check("--from", "spiffe://cluster.local/ns/shop/sa/web", "--method", "POST", "--path", "/orders");
        assertThat(other.code()).isZero();
        assertThat(other.first()).isEqualTo("DENY no ALLOW policy matched");
        Run plaintext = check("--method", "POST", "--path", "/orders");
        assertThat(plaintext.code()).isZero();
        assertThat(plaintext.first()).startsWith("DENY");
        assertThat(plaintext.out()).contains("plaintext");
    }

    @Test
    void workloadWithoutAllowPolicyIsAllowed() {
        Run r = strait("authz", "check", "--policy", policy.toString(), "--namespace", "shop", "--labels", "app=users",
                "--method", "DELETE", "--path", "/");
        assertThat(r.code()).isZero();
        assertThat(r.first()).startsWith("ALLOW no ALLOW policy for the workload");
    }

    @Test
    void badInputExitsTwo() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: ok, namespace: shop}
                spec: {}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: ip, namespace: shop}
                spec:
                  rules: [{from: [{source: {ipBlocks: ["10.0.0.0/8"]}}]}]
                """);
        Run r = strait("authz", "check", "--policy", bad.toString(), "--namespace", "shop", "--method", "GET", "--path", "/");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(bad + ": [1] spec.rules[0].from[0].source.ipBlocks: not supported by Strait");
        assertThat(check("--method", "GET").code()).isEqualTo(2);
        assertThat(check("--method", "GET", "--path", "/a", "--header", "nocolon").err()).contains("--header: expected K:V");
        assertThat(check("--method", "GET", "--path", "/a%2fb").code()).isEqualTo(2);
        assertThat(strait("authz", "check", "--policy", dir.resolve("none.yaml").toString(), "--namespace", "x",
                "--method", "GET", "--path", "/").code()).isEqualTo(2);
        Run labels = check("--labels", "oops", "--method", "GET", "--path", "/");
        assertThat(labels.code()).isEqualTo(2);
        assertThat(labels.err()).contains("--labels: expected k=v");
    }
}
