#!/usr/bin/env bash
# bench/resilience.sh: what idle resilience costs Strait. One Strait with two routes to the same nginx
# backend: /plain (no retries, no breaker, no outlier detection) and /guarded (retries with a per-try
# timeout, circuit-breaker thresholds, the failure-rate breaker and outlier detection, all configured
# and idle: the backend never fails). wrk drives both at peak in interleaved rounds after a warm-up of
# each; the report gives req/s, p50/p99 and Strait's CPU per request, and the issue's target: /guarded
# >= 0.97x /plain. See docs/benchmarks.md ("Resilience cost").
#
# Layout (2 cores), as in bench/run.sh: CPU 0 runs wrk and the backend; CPU 1 runs Strait.
#
# Exit status: 0 when the measurement completed, whether or not the target was met; 2 when the harness
# itself failed (missing tools, a process that would not start, error responses under load,
# unparseable wrk output); 3 when Strait died.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { bench_usage resilience target; }

# The issue's target: idle resilience costs at most 3% of plain proxying's req/s.
TARGET_GUARDED_VS_PLAIN=0.97
TARGETS=(plain guarded)

parse_bench_args resilience.sh false "$@"
bench_start
build_strait

load_before=$(uptime | sed 's/^ *//')
log "load before: $load_before"

free_port backend_port
free_port strait_port
free_port admin_port
render "$bench/conf/backend.nginx.conf" "$tmp/backend.conf" TMP="$tmp" BACKEND_PORT="$backend_port" BODY="$BODY"
start_nginx backend "$CLIENT_CPU" "$tmp/backend.conf"
backend_worker=$(nginx_worker "$backend_pid")
wait_ok backend "http://127.0.0.1:$backend_port/" "$backend_pid" 10

render "$bench/conf/strait-resilience.yaml" "$tmp/strait.yaml" BACKEND_PORT="$backend_port" \
  STRAIT_PORT="$strait_port" ADMIN_PORT="$admin_port"
log "starting Strait (pinned to CPU $PROXY_CPU)"
taskset -c "$PROXY_CPU" "$root/bin/strait" gateway --config "$tmp/strait.yaml" >"$tmp/strait.log" 2>&1 &
strait_pid=$!
pids+=("$strait_pid")
wait_ok strait "http://127.0.0.1:$admin_port/ready" "$strait_pid" 120
[ "$(ps -o comm= -p "$strait_pid")" = java ] || die "pid $strait_pid is not a Strait JVM"
check_target plain "http://127.0.0.1:$strait_port/plain"
check_target guarded "http://127.0.0.1:$strait_port/guarded"
# Before any load: the guarded cluster really has its breaker and outlier detection.
curl -fsS "http://127.0.0.1:$admin_port/clusters" >"$tmp/clusters.json" || die "GET /clusters failed"
grep -q '"state" *: *"CLOSED"' "$tmp/clusters.json" || die "the guarded cluster shows no closed circuit breaker"
grep -q '"enabled" *: *true' "$tmp/clusters.json" || die "the guarded cluster shows no outlier detection"
log "checked: /guarded's cluster shows a CLOSED breaker and outlier detection"
aux_pid=""

non2xx_fatal=true
url() { echo "http://127.0.0.1:$strait_port/$1"; }

for t in "${TARGETS[@]}"; do
  log "warming up $t for $warmup s"
  run_wrk "warmup-$t" "$(url "$t")" "$warmup" "$strait_pid"
done
for r in $(seq 1 "$rounds"); do
  for t in "${TARGETS[@]}"; do
    measure "peak-$t-$r" "$(url "$t")" "$duration" "$strait_pid"
  done
done
load_after=$(uptime | sed 's/^ *//')
log "load after: $load_after"
strait_warnings=$(grep -hE ' (WARN|ERROR) ' "$tmp"/strait.log | head -n 20 || true)
curl -fsS "http://127.0.0.1:$admin_port/metrics" >"$tmp/metrics.txt" || die "GET /metrics failed"
retries=$(awk '/^strait_upstream_retries_total/ {s += $2} END {printf "%d", s}' "$tmp/metrics.txt")

plain_rps=$(med plain peak rps)
guarded_ratio=$(ratio "$(med guarded peak rps)" "$plain_rps")

bench_env
results_dir="$bench/results"
if [ -z "$out" ]; then mkdir -p "$results_dir"; out="$results_dir/resilience-$(date +%Y%m%d-%H%M%S).md"; fi

report() {
  local t
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on commit $git_rev with \`$command_line\`"
  echo "($connections connections, ${duration} s per run after ${warmup} s of warm-up per target, $rounds round(s), medians shown)."
  echo
  echo "- Machine: $(nproc --all) CPUs ($cpu_model), $(uname -sr); $nginx_version (backend), $wrk_version, $java_version."
  echo "- Strait JVM options: \`${STRAIT_JAVA_OPTS:-bin/strait defaults}\`."
  echo "- Load average before: \`$load_before\`"
  echo "- Load average after: \`$load_after\`"
  echo
  echo "Peak throughput (wrk -t1 -c$connections and the backend on CPU $CLIENT_CPU; Strait on CPU $PROXY_CPU):"
  echo
  echo "| target | req/s | p50 | p99 | vs /plain | Strait CPU per request | CPU: Strait / backend / wrk | other + steal |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for t in "${TARGETS[@]}"; do
    printf '| /%s | %.0f | %s ms | %s ms | %sx | %s µs | %s%% / %s%% / %s%% | %s%% |\n' "$t" \
      "$(med "$t" peak rps)" "$(fmt_ms "$(med "$t" peak p50_us)")" "$(fmt_ms "$(med "$t" peak p99_us)")" \
      "$(ratio "$(med "$t" peak rps)" "$plain_rps")" "$(med "$t" peak cpu_us)" "$(medi "$t" peak proxy_cpu)" \
      "$(medi "$t" peak backend_cpu)" "$(medi "$t" peak wrk_cpu)" "$(medi "$t" peak other_cpu)"
  done
  echo
  echo "| requirement | goal | measured | result |"
  echo "|---|---|---|---|"
  echo "| idle retries, breakers, outlier detection | >= ${TARGET_GUARDED_VS_PLAIN}x plain proxying's req/s | ${guarded_ratio}x | $(verdict "$guarded_ratio >= $TARGET_GUARDED_VS_PLAIN") |"
  if [ "$rounds" -gt 1 ]; then
    every_round "/" "${TARGETS[@]}"
    round_ratios "guarded / plain" guarded plain
  fi
  echo
  report_footer "target" "wrk reported errors (no response >= 400, which would have stopped the harness):" \
    "Before the runs, /clusters showed the guarded cluster's breaker CLOSED and outlier detection on; retries made during the runs: $retries (the backend never fails, so 0 is expected)."
}

report | tee "$out"
echo
log "results written to $out"
