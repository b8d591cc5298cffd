package io.strait.gateway.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.config.load.FilterReadContext;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a route's {@code graphql:} settings (see {@code docs/guides/graphql.md}): the schema file (read now,
 * relative to the configuration's folder), the resolvers by {@code Type.field}, limits, introspection and
 * persisted queries. Every problem names its path ({@code routes[0].graphql.resolvers.Order.user.batch.key}),
 * including a mapped field the schema lacks and an {@code {args.NAME}} its field does not take.
 */
public final class GraphqlReader implements FilterReader<GraphqlConfig> {
    /** The name users write. */
    public static final String NAME = "graphql";
    private static final Pattern COORDINATES = Pattern.compile("([_A-Za-z][_0-9A-Za-z]*)\\.([_A-Za-z][_0-9A-Za-z]*)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GraphqlConfig read(Node entry, String field, FilterReadContext context) {
        if (context.onListener()) {
            entry.skip(field);
            entry.error(field, "only routes take the graphql filter (it answers the requests of one route)");
            return null;
        }
        Node n = entry.object(field);
        if (n == null) {
            entry.skip(field);
            if (!entry.has(field)) entry.error(field, "must be an object with schemaFile and resolvers");
            return null;
        }
        int before = n.errors().size();
        String schemaFile = n.requiredString("schemaFile");
        String schema = schemaFile == null ? null : readFile(n, "schemaFile", schemaFile, context.baseDir());
        Map<String, ResolverSpec> resolvers = resolvers(n);
        GraphqlConfig.Limits limits = limits(n.object("limits"));
        boolean introspection = n.bool("introspection", false);
        GraphqlConfig.PersistedQueries pq = persisted(n.object("persistedQueries"), context.baseDir());
        n.finish();
        if (schema != null) {
            List<SchemaCheck.Problem> problems = new ArrayList<>();
            var types = SchemaCheck.parse(schema, problems);
            if (types != null) problems.addAll(SchemaCheck.resolvers(types, resolvers));
            for (SchemaCheck.Problem p : problems) n.error(p.field(), p.message());
        }
        if (n.errors().size() != before) return null;
        return new GraphqlConfig(schemaFile, schema, resolvers, limits, introspection, pq);
    }

    private static String readFile(Node n, String field, String file, Path baseDir) {
        Path p = baseDir == null ? Path.of(file) : baseDir.resolve(file);
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            n.error(field, "cannot read " + p);
            return null;
        }
    }

    private static Map<String, ResolverSpec> resolvers(Node n) {
        Map<String, ResolverSpec> out = new LinkedHashMap<>();
        if (!n.has("resolvers")) {
            n.skip("resolvers");
            n.error("resolvers", "is required: the REST call of each field, e.g. {Query.user: {cluster: users, path: \"/users/{args.id}\"}}");
            return out;
        }
        for (Map.Entry<String, Node> e : n.namedObjects("resolvers").entrySet()) {
            var m = COORDINATES.matcher(e.getKey());
            Node r = e.getValue();
            if (!m.matches()) {
                n.error("resolvers." + e.getKey(), "name a schema field as Type.field (e.g. Query.user)");
                continue;
            }
            ResolverSpec spec = resolver(r, m.group(1), m.group(2));
            if (spec != null) out.put(e.getKey(), spec);
        }
        return out;
    }

    private static ResolverSpec resolver(Node r, String type, String field) {
        int before = r.errors().size();
        String cluster = r.requiredString("cluster");
        String pathText = r.requiredString("path");
        UrlTemplate path = null;
        if (pathText != null) {
            if (!pathText.startsWith("/")) r.error("path", "must start with '/'");
            else path = template(r, "path", pathText);
        }
        Map<String, UrlTemplate> query = new LinkedHashMap<>();
        r.stringMap("query").forEach((k, v) -> {
            UrlTemplate t = template(r, "query." + k, v);
            if (t != null) query.put(k, t);
        });
        ResolverSpec.Batch batch = batch(r.object("batch"));
        String result = r.string("result", "");
        if (!result.isEmpty() && !result.startsWith("/")) r.error("result", "must be a JSON pointer such as /data");
        Duration timeout = r.duration("timeout", null);
        if (timeout != null && timeout.isZero()) r.error("timeout", "must be > 0 (leave it out for the route's timeout)");
        r.finish();
        if (path != null) {
            List<UrlTemplate> all = new ArrayList<>(query.values());
            all.add(path);
            boolean keys = all.stream().anyMatch(t -> t.uses(UrlTemplate.Keys.class));
            boolean perParent = all.stream().anyMatch(t -> t.uses(UrlTemplate.Arg.class) || t.uses(UrlTemplate.Source.class));
            if (batch != null && !keys) r.error("batch", "a batched call must send its keys: write {keys} in the path or a query value");
            if (batch != null && perParent) r.error("batch", "a batched call serves many parents: it takes {keys}, not {args.*} or {source.*}");
            if (batch == null && keys) r.error("path", "{keys} is for batched calls: add batch: {key: ..., match: ...}");
        }
        if (r.errors().size() != before) return null;
        return new ResolverSpec(type, field, cluster, path, query, batch, result, timeout);
    }

    private static UrlTemplate template(Node r, String field, String text) {
        try {
            return UrlTemplate.parse(text);
        } catch (IllegalArgumentException e) {
            r.error(field, e.getMessage());
            return null;
        }
    }

    private static ResolverSpec.Batch batch(Node b) {
        if (b == null) return null;
        String key = b.requiredString("key");
        String match = b.requiredString("match");
        int max = b.integer("maxSize", ResolverSpec.Batch.DEFAULT_MAX_SIZE, 1, 10_000);
        b.finish();
        return key == null || match == null ? null : new ResolverSpec.Batch(key, match, max);
    }

    private static GraphqlConfig.Limits limits(Node l) {
        if (l == null) return GraphqlConfig.Limits.DEFAULT;
        GraphqlConfig.Limits d = GraphqlConfig.Limits.DEFAULT;
        int depth = l.integer("maxDepth", d.maxDepth(), 1, 1000);
        int complexity = l.integer("maxComplexity", d.maxComplexity(), 1, 1_000_000);
        int aliases = l.integer("maxAliases", d.maxAliases(), 0, 100_000);
        int tokens = l.integer("maxTokens", d.maxTokens(), 1, 1_000_000);
        long body = l.size("maxBodySize", d.maxBodySize());
        if (body < 1) l.error("maxBodySize", "must be at least 1 byte");
        l.finish();
        return new GraphqlConfig.Limits(depth, complexity, aliases, tokens, body);
    }

    private static GraphqlConfig.PersistedQueries persisted(Node p, Path baseDir) {
        if (p == null) return null;
        boolean automatic = p.bool("automatic", true);
        int size = p.integer("cacheSize", GraphqlConfig.PersistedQueries.DEFAULT_CACHE_SIZE, 1, 1_000_000);
        String file = p.string("safelist", null);
        List<String> safelist = file == null ? List.of() : safelist(p, file, baseDir);
        p.finish();
        return new GraphqlConfig.PersistedQueries(automatic, size, file, safelist);
    }

    /** A JSON array of query texts, or an Apollo persisted-query manifest ({@code {"operations": [{"body": ...}]}}). */
    private static List<String> safelist(Node p, String file, Path baseDir) {
        String text = readFile(p, "safelist", file, baseDir);
        if (text == null) return List.of();
        List<String> out = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(text);
            JsonNode list = root != null && root.isObject() ? root.path("operations") : root;
            if (list == null || !list.isArray()) throw new IOException("not a list");
            for (JsonNode e : list) {
                JsonNode body = e.isObject() ? e.get("body") : e;
                if (body == null || !body.isTextual()) throw new IOException("not a query");
                out.add(body.asText());
            }
        } catch (IOException e) {
            p.error("safelist", file + " must be a JSON array of queries, or {\"operations\": [{\"body\": QUERY}, ...]}");
        }
        return out;
    }
}
