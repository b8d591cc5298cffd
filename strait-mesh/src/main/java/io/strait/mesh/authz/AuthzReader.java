package io.strait.mesh.authz;

import io.strait.config.load.FilterReadContext;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code - authz: {policies: [FILE...], namespace: NS, labels: {...}, rootNamespace: NS}} and the policy files
 * it names (at load, on the control thread): a policy error is a config error at {@code ...authz.policies[i]}.
 */
final class AuthzReader implements FilterReader<AuthzConfig> {
    @Override
    public String name() {
        return AuthzFactory.NAME;
    }

    @Override
    public AuthzConfig read(Node entry, String field, FilterReadContext context) {
        Node n = entry.object(field);
        if (n == null) return null;
        int before = n.errors().size();
        List<String> files = n.strings("policies");
        if (!n.has("policies") || files.isEmpty() && n.errors().size() == before) {
            n.error("policies", "is required: the AuthorizationPolicy files, e.g. [policies.yaml]");
        }
        String namespace = n.requiredString("namespace");
        Map<String, String> labels = n.stringMap("labels");
        String root = n.string("rootNamespace", AuthzEngine.DEFAULT_ROOT_NAMESPACE);
        n.finish();
        List<AuthorizationPolicy> policies = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = context.baseDir() == null ? Path.of(files.get(i)) : context.baseDir().resolve(files.get(i));
            try {
                policies.addAll(PolicyReader.read(List.of(file)));
            } catch (PolicyException e) {
                for (String error : e.errors()) n.error("policies[" + i + "]", error);
            }
        }
        if (n.errors().size() != before) return null;
        return new AuthzConfig(files, namespace, labels == null ? Map.of() : labels, root, policies);
    }
}
