#!/usr/bin/env bash
# bench/ratelimit.sh: what rate limiting costs Strait, per store. Three Strait processes, one per store
# type (local, redis, hybrid), with the same routes to one nginx backend: /plain (no limit) and
# /limited (a per-client policy far above wrk's rate: every request is charged, none refused). A real
# redis-server serves the redis and hybrid stores. wrk drives each target at peak, in interleaved
# rounds after a warm-up of each; the report gives req/s, p50/p99 and Strait's CPU per request, and
# the issue's targets: local >= 0.97x plain, redis >= 0.70x local, hybrid >= 0.95x local. See
# docs/benchmarks.md ("Rate-limiting cost").
#
# Layout (2 cores), as in bench/run.sh: CPU 0 runs wrk, the backend and redis-server; CPU 1 runs the
# Strait under test (the other two sit idle on it).
#
# Exit status: 0 when the measurement completed, whether or not the targets were met; 2 when the
# harness itself failed (missing tools, a process that would not start, a limit not enforced, error
# responses under load, unparseable wrk output); 3 when Strait died.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { bench_usage ratelimit target; }

# The issue's targets.
TARGET_LOCAL_VS_PLAIN=0.97
TARGET_REDIS_VS_LOCAL=0.70
TARGET_HYBRID_VS_LOCAL=0.95
STORES=(local redis hybrid)
# The targets, in the order of every round: TARGET is STORE/PATH.
TARGETS=(plain local redis hybrid)
declare -A store_of=([plain]=local [local]=local [redis]=redis [hybrid]=hybrid)
declare -A path_of=([plain]=/plain [local]=/limited [redis]=/limited [hybrid]=/limited)

parse_bench_args ratelimit.sh false "$@"

if ! command -v redis-server >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || die "redis-server is missing and there is no apt-get to install it"
  log "installing redis-server (apt-get)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >&2 ||
    die "apt-get install redis-server failed"
fi
bench_start
build_strait

# ---------------------------------------------------------------- start everything

load_before=$(uptime | sed 's/^ *//')
log "load before: $load_before"

free_port backend_port
free_port redis_port
render "$bench/conf/backend.nginx.conf" "$tmp/backend.conf" TMP="$tmp" BACKEND_PORT="$backend_port" BODY="$BODY"
start_nginx backend "$CLIENT_CPU" "$tmp/backend.conf"
backend_worker=$(nginx_worker "$backend_pid")
wait_ok backend "http://127.0.0.1:$backend_port/" "$backend_pid" 10

log "starting redis-server on :$redis_port (pinned to CPU $CLIENT_CPU)"
taskset -c "$CLIENT_CPU" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$tmp" --logfile "$tmp/redis.log" >/dev/null 2>&1 &
redis_pid=$!
pids+=("$redis_pid")
for i in $(seq 1 100); do
  [ "$(redis-cli -p "$redis_port" ping 2>/dev/null || true)" = PONG ] && break
  kill -0 "$redis_pid" 2>/dev/null || die "redis-server exited: $(tail -n 5 "$tmp/redis.log")"
  sleep 0.1
done
redis_version=$(redis-server --version | awk '{print $3}')

declare -A pid_of port_of
for s in "${STORES[@]}"; do
  free_port "port_$s"
  free_port "admin_$s"
  port_var="port_$s" admin_var="admin_$s"
  uri=""
  [ "$s" = local ] || uri=", uri: \"redis://127.0.0.1:$redis_port\""
  render "$bench/conf/strait-ratelimit.yaml" "$tmp/strait-$s.yaml" BACKEND_PORT="$backend_port" \
    STRAIT_PORT="${!port_var}" ADMIN_PORT="${!admin_var}" STORE="$s" STORE_URI="$uri"
  log "starting Strait with the $s store (pinned to CPU $PROXY_CPU)"
  taskset -c "$PROXY_CPU" "$root/bin/strait" gateway --config "$tmp/strait-$s.yaml" >"$tmp/strait-$s.log" 2>&1 &
  pid_of[$s]=$!
  port_of[$s]=${!port_var}
  pids+=("${pid_of[$s]}")
  wait_ok "strait-$s" "http://127.0.0.1:${!admin_var}/ready" "${pid_of[$s]}" 120
  [ "$(ps -o comm= -p "${pid_of[$s]}")" = java ] || die "pid ${pid_of[$s]} is not a Strait JVM"
  # Before any load: the store really limits (the second request to /tight is refused), and
  # /limited carries the limit's headers.
  check_target "$s-tight-1" "http://127.0.0.1:${!port_var}/tight"
  check_target "$s-tight-2" "http://127.0.0.1:${!port_var}/tight" 429
  check_target "$s-limited" "http://127.0.0.1:${!port_var}/limited"
  grep -qi '^x-ratelimit-limit: 1000000' "$tmp/check-$s-limited.headers" || die "$s: /limited answered without X-RateLimit-Limit"
done
[ -n "$(redis-cli -p "$redis_port" --scan --pattern 'rate_limit:*' | head -n1)" ] || die "no rate_limit:* keys in Redis"
log "checked: every store refuses /tight's second request, /limited carries X-RateLimit-*, Redis holds the buckets"
strait_pid=${pid_of[local]}
aux_pid=$redis_pid

# Any response >= 400 under load stops the harness: the numbers would measure refusals.
non2xx_fatal=true
url() { echo "http://127.0.0.1:${port_of[${store_of[$1]}]}${path_of[$1]}"; }

# ---------------------------------------------------------------- peak throughput

for t in "${TARGETS[@]}"; do
  log "warming up $t for $warmup s"
  run_wrk "warmup-$t" "$(url "$t")" "$warmup" "${pid_of[${store_of[$t]}]}"
done
for r in $(seq 1 "$rounds"); do
  for t in "${TARGETS[@]}"; do
    measure "peak-$t-$r" "$(url "$t")" "$duration" "${pid_of[${store_of[$t]}]}"
  done
done
load_after=$(uptime | sed 's/^ *//')
log "load after: $load_after"
strait_warnings=$(grep -hE ' (WARN|ERROR) ' "$tmp"/strait-*.log | head -n 20 || true)

# ---------------------------------------------------------------- report

plain_rps=$(med plain peak rps)
local_rps=$(med local peak rps)
local_ratio=$(ratio "$local_rps" "$plain_rps")
redis_ratio=$(ratio "$(med redis peak rps)" "$local_rps")
hybrid_ratio=$(ratio "$(med hybrid peak rps)" "$local_rps")

bench_env
results_dir="$bench/results"
if [ -z "$out" ]; then mkdir -p "$results_dir"; out="$results_dir/ratelimit-$(date +%Y%m%d-%H%M%S).md"; fi

report() {
  local t
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on commit $git_rev with \`$command_line\`"
  echo "($connections connections, ${duration} s per run after ${warmup} s of warm-up per target, $rounds round(s), medians shown)."
  echo
  echo "- Machine: $(nproc --all) CPUs ($cpu_model), $(uname -sr); $nginx_version (backend), redis-server $redis_version, $wrk_version, $java_version."
  echo "- Strait JVM options: \`${STRAIT_JAVA_OPTS:-bin/strait defaults}\`."
  echo "- Load average before: \`$load_before\`"
  echo "- Load average after: \`$load_after\`"
  echo
  echo "Peak throughput (wrk -t1 -c$connections, the backend and redis-server on CPU $CLIENT_CPU; the Strait under test on CPU $PROXY_CPU):"
  echo
  echo "| target | store, path | req/s | p50 | p99 | vs /plain | Strait CPU per request | CPU: Strait / backend / redis / wrk | other + steal |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for t in "${TARGETS[@]}"; do
    printf '| %s | %s, %s | %.0f | %s ms | %s ms | %sx | %s µs | %s%% / %s%% / %s%% / %s%% | %s%% |\n' "$t" "${store_of[$t]}" "${path_of[$t]}" \
      "$(med "$t" peak rps)" "$(fmt_ms "$(med "$t" peak p50_us)")" "$(fmt_ms "$(med "$t" peak p99_us)")" \
      "$(ratio "$(med "$t" peak rps)" "$plain_rps")" "$(med "$t" peak cpu_us)" "$(medi "$t" peak proxy_cpu)" \
      "$(medi "$t" peak backend_cpu)" "$(medi "$t" peak aux_cpu)" "$(medi "$t" peak wrk_cpu)" "$(medi "$t" peak other_cpu)"
  done
  echo
  echo "| requirement | goal | measured | result |"
  echo "|---|---|---|---|"
  echo "| local store | >= ${TARGET_LOCAL_VS_PLAIN}x plain proxying's req/s | ${local_ratio}x | $(verdict "$local_ratio >= $TARGET_LOCAL_VS_PLAIN") |"
  echo "| redis store | >= ${TARGET_REDIS_VS_LOCAL}x the local store's req/s | ${redis_ratio}x | $(verdict "$redis_ratio >= $TARGET_REDIS_VS_LOCAL") |"
  echo "| hybrid store | >= ${TARGET_HYBRID_VS_LOCAL}x the local store's req/s | ${hybrid_ratio}x | $(verdict "$hybrid_ratio >= $TARGET_HYBRID_VS_LOCAL") |"
  if [ "$rounds" -gt 1 ]; then
    every_round "" "${TARGETS[@]}"
    round_ratios "local / plain" local plain
  fi
  echo
  report_footer "target" "wrk reported errors (no response >= 400, which would have stopped the harness):" \
    "Before the runs, every store refused the second request to /tight (1 per hour) and /limited carried X-RateLimit-* headers."
}

report | tee "$out"
echo
log "results written to $out"
