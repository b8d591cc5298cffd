#!/usr/bin/env bash
# bench/graphql.sh: what the GraphQL BFF costs against plain REST proxying. One Strait with two routes to the
# same nginx backend (bench/conf/strait-graphql.yaml):
#   /orders/1   one proxied REST call
#   /graphql    a GraphQL query (POST) that composes two REST calls: the order, then its user
# wrk drives each path at peak, in interleaved rounds after a warm-up of each. The report gives req/s,
# p50/p99 and Strait's CPU per request, and the issue's target: /graphql >= 0.40x the req/s of /orders/1,
# p99 noted. See docs/benchmarks.md ("GraphQL BFF cost"). The transform filter's costs: bench/transform.sh.
#
# Layout (2 cores), as in bench/run.sh: CPU 0 runs wrk and the backend, CPU 1 runs Strait.
#
# Exit status: 0 when the measurement completed, whether or not the targets were met; 2 when the
# harness itself failed (missing tools, a process that would not start, a path that does not answer as
# expected, error responses under load, unparseable wrk output); 3 when Strait died.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { bench_usage graphql path; }

TARGET_GRAPHQL_RATIO=0.40
PATHS=(rest graphql)
QUERY='{"query":"query($id: ID!) { order(id: $id) { id total user { name email } } }","variables":{"id":"1"}}'

parse_bench_args graphql.sh false "$@"

bench_start
build_strait

# ---------------------------------------------------------------- fixtures

cat >"$tmp/schema.graphql" <<'GQL'
type Query { order(id: ID!): Order }
type Order { id: ID! total: Float status: String userId: ID user: User }
type User { id: ID! name: String email: String }
GQL
printf '%s' "$QUERY" >"$tmp/query.json"

# ---------------------------------------------------------------- start everything

load_before=$(uptime | sed 's/^ *//')
log "load before: $load_before"

free_port backend_port
free_port strait_port
free_port admin_port
mkdir -p "$tmp/backend-tmp"
# nginx's worker may run as another user (nobody, when started as root): it must pass through the temp dir.
chmod o+x "$tmp"
render "$bench/conf/backend-graphql.nginx.conf" "$tmp/backend.conf" TMP="$tmp" BACKEND_PORT="$backend_port" BODY="$BODY"
render "$bench/conf/strait-graphql.yaml" "$tmp/strait.yaml" BACKEND_PORT="$backend_port" STRAIT_PORT="$strait_port" \
  ADMIN_PORT="$admin_port" TMP="$tmp"

start_nginx backend "$CLIENT_CPU" "$tmp/backend.conf"
backend_worker=$(nginx_worker "$backend_pid")

log "starting Strait (pinned to CPU $PROXY_CPU)"
taskset -c "$PROXY_CPU" "$root/bin/strait" gateway --config "$tmp/strait.yaml" >"$tmp/strait.log" 2>&1 &
strait_pid=$!
pids+=("$strait_pid")

base="http://127.0.0.1:$strait_port"
declare -A url_of=([rest]="$base/orders/1" [graphql]="$base/graphql")
declare -A what_of=([rest]="one proxied REST call" [graphql]="GraphQL: an order and its user (2 REST calls)")

wait_ok backend "http://127.0.0.1:$backend_port/" "$backend_pid" 10
wait_ok strait "http://127.0.0.1:$admin_port/ready" "$strait_pid" 120
[ "$(ps -o comm= -p "$strait_pid")" = java ] || die "pid $strait_pid is not the Strait JVM"

# Before any load: each path does what it is measured for.
curl -fsS -o "$tmp/rest.body" "${url_of[rest]}" || die "GET /orders/1 failed"
grep -q '"userId":"7"' "$tmp/rest.body" || die "/orders/1 did not answer the order: $(head -c 300 "$tmp/rest.body")"
curl -fsS -o "$tmp/graphql.body" -H 'Content-Type: application/json' --data-binary @"$tmp/query.json" "${url_of[graphql]}" ||
  die "POST /graphql failed"
grep -q '"name":"Ada Lovelace"' "$tmp/graphql.body" && ! grep -q '"errors"' "$tmp/graphql.body" ||
  die "/graphql did not compose the order and its user: $(head -c 300 "$tmp/graphql.body")"
log "checked: /orders/1 answers, /graphql answers the order with its user"
strait_ready=$(grep -o 'strait ready ([^)]*)' "$tmp/strait.log" | head -n1 || true)
log "backend :$backend_port (pid $backend_pid), Strait :$strait_port (pid $strait_pid; $strait_ready)"

# Any response >= 400 under load stops the harness: the numbers would measure refusals.
non2xx_fatal=true
use_path() { # PATH: the request's method and body for that path (exported for bench/wrk/bench.lua)
  if [ "$1" = graphql ]; then
    export BENCH_METHOD=POST BENCH_BODY_FILE="$tmp/query.json" BENCH_CONTENT_TYPE=application/json
  else
    unset BENCH_METHOD BENCH_BODY_FILE BENCH_CONTENT_TYPE
  fi
}

# ---------------------------------------------------------------- peak throughput

for t in "${PATHS[@]}"; do
  log "warming up /$t for $warmup s"
  use_path "$t"
  run_wrk "warmup-$t" "${url_of[$t]}" "$warmup" "$strait_pid"
done
for r in $(seq 1 "$rounds"); do
  for t in "${PATHS[@]}"; do
    use_path "$t"
    measure "peak-$t-$r" "${url_of[$t]}" "$duration" "$strait_pid"
  done
done
use_path rest
load_after=$(uptime | sed 's/^ *//')
log "load after: $load_after"
strait_warnings=$(grep -E ' (WARN|ERROR) ' "$tmp/strait.log" | head -n 20 || true)

# ---------------------------------------------------------------- report

graphql_ratio=$(ratio "$(med graphql peak rps)" "$(med rest peak rps)")

bench_env
results_dir="$bench/results"
if [ -z "$out" ]; then mkdir -p "$results_dir"; out="$results_dir/graphql-$(date +%Y%m%d-%H%M%S).md"; fi

report() {
  local t
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on commit $git_rev with \`$command_line\`"
  echo "($connections connections, ${duration} s per run after ${warmup} s of warm-up per path, $rounds round(s), medians shown)."
  echo
  echo "- Machine: $(nproc --all) CPUs ($cpu_model), $(uname -sr); $nginx_version (backend), $wrk_version, $java_version."
  echo "- Strait JVM options: \`${STRAIT_JAVA_OPTS:-bin/strait defaults}\`; $strait_ready."
  echo "- Load average before: \`$load_before\`"
  echo "- Load average after: \`$load_after\`"
  echo
  echo "Peak throughput of one Strait (wrk -t1 -c$connections on CPU $CLIENT_CPU with the backend; Strait alone on CPU $PROXY_CPU):"
  echo
  echo "| path | what it runs | req/s | p50 | p99 | Strait CPU per request | CPU: Strait / backend / wrk | other + steal |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  for t in "${PATHS[@]}"; do
    printf '| /%s | %s | %.0f | %s ms | %s ms | %s µs | %s%% / %s%% / %s%% | %s%% |\n' "$t" "${what_of[$t]}" \
      "$(med "$t" peak rps)" "$(fmt_ms "$(med "$t" peak p50_us)")" "$(fmt_ms "$(med "$t" peak p99_us)")" \
      "$(med "$t" peak cpu_us)" "$(medi "$t" peak proxy_cpu)" "$(medi "$t" peak backend_cpu)" \
      "$(medi "$t" peak wrk_cpu)" "$(medi "$t" peak other_cpu)"
  done
  echo
  echo "| requirement | goal | measured | result |"
  echo "|---|---|---|---|"
  echo "| GraphQL composing two REST calls | /graphql >= ${TARGET_GRAPHQL_RATIO}x /rest req/s (p99 $(fmt_ms "$(med graphql peak p99_us)") ms against $(fmt_ms "$(med rest peak p99_us)") ms) | ${graphql_ratio}x | $(verdict "$graphql_ratio >= $TARGET_GRAPHQL_RATIO") |"
  if [ "$rounds" -gt 1 ]; then
    every_round "/" "${PATHS[@]}"
    round_ratios "/graphql / /rest req/s" graphql rest
  fi
  echo
  report_footer "path" "wrk reported errors (no response >= 400, which would have stopped the harness):" \
    "Before the runs, /graphql answered the order with its user, without errors."
}

report | tee "$out"
echo
log "results written to $out"
