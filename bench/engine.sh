#!/usr/bin/env bash
# bench/engine.sh: this build's engine against an earlier build's (default: d651a84, the commit before
# issue 13), with the access log off and on, in one run. Four Strait processes share CPU 1 (only one is
# ever under load): base and now, each with the access log off and with the default JSON access log on
# (to standard output, redirected to a file, as a container would collect it). wrk drives each at peak
# in interleaved rounds after a warm-up of each; the report gives req/s, p50/p99 and CPU per request,
# the ratios now/base, what the log costs each build, and, for the logging processes, access-log lines
# written against requests served (a lost line shows there). Then paired runs (lib.sh's run_pair): base
# and now loaded at the same time on their shared CPU, whose CPU-per-request ratio is the steady measure
# of the CPU target on this VM, and this build with the log off and on loaded at once, the steady measure
# of what the log costs. See docs/benchmarks.md ("Engine before and after").
#
# BENCH_BASE=REV picks the earlier build (a commit of this repository; it is built once into
# bench/.base-REV, a git worktree the script makes).
#
# Exit status: 0 when the measurement completed; 2 when the harness failed; 3 when a Strait died.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { bench_usage engine target; }

BASE_REV=${BENCH_BASE:-d651a84}
# The issue's targets: CPU per request within 3%, requests/s at least the same; the log at most 15%.
TARGET_CPU_RATIO=1.03
TARGET_RPS_RATIO=1.00
TARGET_LOG_COST=0.15
TARGETS=(base now base-log now-log)

parse_bench_args engine.sh false "$@"
command_line="BENCH_BASE=$BASE_REV $command_line"
bench_start
build_strait

# ---------------------------------------------------------------- the base build
base_dir="$bench/.base-$BASE_REV"
if [ ! -d "$base_dir" ]; then
  log "adding a worktree of $BASE_REV at $base_dir"
  git -C "$root" worktree add --detach "$base_dir" "$BASE_REV" >/dev/null 2>&1 || die "cannot check out $BASE_REV"
fi
base_jar="$base_dir/strait-cli/target/strait-cli-0.1.0-SNAPSHOT-all.jar"
if [ ! -f "$base_jar" ]; then
  log "building $BASE_REV (once)"
  (cd "$base_dir" && strait_find_jdk && strait_maven_opts && mvn -B -ntp -q -o package -DskipTests >"$tmp/base-build.log" 2>&1) \
    || die "building $BASE_REV failed: $(tail -n 20 "$tmp/base-build.log")"
fi
base_rev_full=$(git -C "$base_dir" rev-parse --short HEAD)

load_before=$(uptime | sed 's/^ *//')
log "load before: $load_before"

free_port backend_port
render "$bench/conf/backend.nginx.conf" "$tmp/backend.conf" TMP="$tmp" BACKEND_PORT="$backend_port" BODY="$BODY"
start_nginx backend "$CLIENT_CPU" "$tmp/backend.conf"
backend_worker=$(nginx_worker "$backend_pid")
wait_ok backend "http://127.0.0.1:$backend_port/" "$backend_pid" 10

declare -A PORT ADMIN PID
for t in "${TARGETS[@]}"; do
  free_port port_v; PORT[$t]=$port_v
  free_port admin_v; ADMIN[$t]=$admin_v
  render "$bench/conf/strait.yaml" "$tmp/strait-$t.yaml" BACKEND_PORT="$backend_port" STRAIT_PORT="${PORT[$t]}" \
    ADMIN_PORT="${ADMIN[$t]}"
  if [[ $t == *-log ]]; then # the default access log: every field of the default list, to standard output
    sed -i 's/^  accessLog: {enabled: false}$/  accessLog: {enabled: true}/' "$tmp/strait-$t.yaml"
    grep -q 'accessLog: {enabled: true}' "$tmp/strait-$t.yaml" || die "could not switch the access log on"
  fi
  if [[ $t == base* ]]; then
    jar=$base_jar
  else
    jar="$root/strait-cli/target/strait-cli-0.1.0-SNAPSHOT-all.jar"
  fi
  log "starting $t (pinned to CPU $PROXY_CPU)"
  # bin/strait's JVM options, with either jar
  jvm_opts=$(sed -n 's/^default_opts="\(.*\)"$/\1/p' "$root/bin/strait" | tail -n 1)
  taskset -c "$PROXY_CPU" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    ${STRAIT_JAVA_OPTS:-$jvm_opts --sun-misc-unsafe-memory-access=allow -Dio.netty.noUnsafe=false} \
    -jar "$jar" gateway --config "$tmp/strait-$t.yaml" >"$tmp/strait-$t.log" 2>&1 &
  PID[$t]=$!
  pids+=("${PID[$t]}")
done
for t in "${TARGETS[@]}"; do
  wait_ok "$t" "http://127.0.0.1:${ADMIN[$t]}/ready" "${PID[$t]}" 120
  check_target "$t" "http://127.0.0.1:${PORT[$t]}/bench"
done
non2xx_fatal=true
url() { echo "http://127.0.0.1:${PORT[$1]}/bench"; }

for t in "${TARGETS[@]}"; do
  log "warming up $t for $warmup s"
  run_wrk "warmup-$t" "$(url "$t")" "$warmup" "${PID[$t]}"
done
for r in $(seq 1 "$rounds"); do
  for t in "${TARGETS[@]}"; do
    measure "peak-$t-$r" "$(url "$t")" "$duration" "${PID[$t]}"
  done
done
# Paired runs: base and now loaded at the same time on their shared CPU (run_pair), twice as many as the
# rounds; their CPU-per-request ratio does not move with the VM's slow and fast spells.
pair_rounds=$((rounds * 2))
for r in $(seq 1 "$pair_rounds"); do
  wait_quiet
  run_pair "pair-off-$r" "$duration" "$(url base)" "${PID[base]}" "$(url now)" "${PID[now]}"
  wait_quiet
  run_pair "pair-on-$r" "$duration" "$(url base-log)" "${PID[base-log]}" "$(url now-log)" "${PID[now-log]}"
  # the access log's cost: this build with the log off and on, loaded at once (the log's writer thread is pinned to
  # the same CPU); at peak on one CPU, req/s is the inverse of CPU per request, so the cost is 1 - off/on
  wait_quiet
  run_pair "pair-log-$r" "$duration" "$(url now)" "${PID[now]}" "$(url now-log)" "${PID[now-log]}"
done
pair_med() { local r v=(); for r in $(seq 1 "$pair_rounds"); do v+=("${R[pair-$1-$r.$2]}"); done; median "${v[@]}"; }
pair_all() { local r line=""; for r in $(seq 1 "$pair_rounds"); do line+=" ${R[pair-$1-$r.cpu_ratio]}"; done; echo "${line# }"; }
load_after=$(uptime | sed 's/^ *//')
log "load after: $load_after"
strait_warnings=$(grep -hE ' (WARN|ERROR) ' "$tmp"/strait-*.log | grep -v '"requestId"' | head -n 20 || true)

# Lines written against requests served, for the logging processes (the writer flushes within 100 ms).
declare -A LINES SERVED DROPPED
for t in base-log now-log; do
  curl -fsS "http://127.0.0.1:${ADMIN[$t]}/metrics" >"$tmp/metrics-$t.txt" || die "GET /metrics failed for $t"
  SERVED[$t]=$(awk '/^strait_requests_total\{/ {s += $2} END {printf "%d", s}' "$tmp/metrics-$t.txt")
  DROPPED[$t]=$(awk '/^strait_access_log_dropped_total/ {s += $2} END {printf "%d", s}' "$tmp/metrics-$t.txt")
  sleep 1 # a flush: the writer drains its queue within its idle park (100 ms)
  LINES[$t]=$(grep -c '"requestId"' "$tmp/strait-$t.log" || true)
done

cpu_ratio_off=$(ratio "$(med now peak cpu_us)" "$(med base peak cpu_us)")
rps_ratio_off=$(ratio "$(med now peak rps)" "$(med base peak rps)")
cpu_ratio_on=$(ratio "$(med now-log peak cpu_us)" "$(med base-log peak cpu_us)")
pair_ratio_off=$(printf '%.3f' "$(pair_med off cpu_ratio)")
pair_ratio_on=$(printf '%.3f' "$(pair_med on cpu_ratio)")
rps_ratio_on=$(ratio "$(med now-log peak rps)" "$(med base-log peak rps)")
cost() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", 1 - a / b}'; }
log_cost_base=$(cost "$(med base-log peak rps)" "$(med base peak rps)")
log_cost_now=$(cost "$(med now-log peak rps)" "$(med now peak rps)")
pair_log_cost=$(awk -v r="$(pair_med log cpu_ratio)" 'BEGIN {printf "%.3f", 1 - 1 / r}')

bench_env
results_dir="$bench/results"
if [ -z "$out" ]; then mkdir -p "$results_dir"; out="$results_dir/engine-$(date +%Y%m%d-%H%M%S).md"; fi

report() {
  local t
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on commit $git_rev against $base_rev_full with \`$command_line\`"
  echo "($connections connections, ${duration} s per run after ${warmup} s of warm-up per target, $rounds round(s), medians shown)."
  echo
  echo "- Machine: $(nproc --all) CPUs ($cpu_model), $(uname -sr); $nginx_version (backend), $wrk_version, $java_version."
  echo "- Strait JVM options: \`${STRAIT_JAVA_OPTS:-bin/strait defaults}\`, the same for both builds."
  echo "- Load average before: \`$load_before\`"
  echo "- Load average after: \`$load_after\`"
  echo
  echo "| target | build | access log | req/s | p50 | p99 | Strait CPU per request | other + steal |"
  echo "|---|---|---|---:|---:|---:|---:|---:|"
  for t in "${TARGETS[@]}"; do
    local build=$git_rev logon=off
    [[ $t == base* ]] && build=$base_rev_full
    [[ $t == *-log ]] && logon="on (stdout)"
    printf '| %s | %s | %s | %.0f | %s ms | %s ms | %s µs | %s%% |\n' "$t" "$build" "$logon" \
      "$(med "$t" peak rps)" "$(fmt_ms "$(med "$t" peak p50_us)")" "$(fmt_ms "$(med "$t" peak p99_us)")" \
      "$(med "$t" peak cpu_us)" "$(medi "$t" peak other_cpu)"
  done
  echo
  echo "| requirement | goal | measured | result |"
  echo "|---|---|---|---|"
  echo "| CPU per request, log off, both loaded at once (median of $pair_rounds paired runs) | now/base <= ${TARGET_CPU_RATIO} | ${pair_ratio_off} | $(verdict "$pair_ratio_off <= $TARGET_CPU_RATIO") |"
  echo "| CPU per request, log on, both loaded at once (median of $pair_rounds paired runs) | now/base <= ${TARGET_CPU_RATIO} | ${pair_ratio_on} | $(verdict "$pair_ratio_on <= $TARGET_CPU_RATIO") |"
  echo "| CPU per request, log off, one after the other | now/base <= ${TARGET_CPU_RATIO} | ${cpu_ratio_off} | $(verdict "$cpu_ratio_off <= $TARGET_CPU_RATIO") |"
  echo "| req/s, log off | now/base >= ${TARGET_RPS_RATIO} | ${rps_ratio_off} | $(verdict "$rps_ratio_off >= $TARGET_RPS_RATIO") |"
  echo "| CPU per request, log on, one after the other | now/base <= ${TARGET_CPU_RATIO} | ${cpu_ratio_on} | $(verdict "$cpu_ratio_on <= $TARGET_CPU_RATIO") |"
  echo "| req/s, log on | now/base >= ${TARGET_RPS_RATIO} | ${rps_ratio_on} | $(verdict "$rps_ratio_on >= $TARGET_RPS_RATIO") |"
  echo "| what the default access log costs, both loaded at once (1 - off/on CPU per request, median of $pair_rounds paired runs) | <= ${TARGET_LOG_COST} | now ${pair_log_cost} | $(verdict "$pair_log_cost <= $TARGET_LOG_COST") |"
  echo "| what the default access log costs, one after the other (1 - on/off req/s) | <= ${TARGET_LOG_COST} | now ${log_cost_now} (base ${log_cost_base}) | $(verdict "$log_cost_now <= $TARGET_LOG_COST") |"
  for t in base-log now-log; do
    echo "| $t: access-log lines written / requests served | no line lost | ${LINES[$t]} / ${SERVED[$t]} (dropped: ${DROPPED[$t]:-0}) | $(verdict "${LINES[$t]} >= ${SERVED[$t]}") |"
  done
  if [ "$rounds" -gt 1 ]; then
    every_round "" "${TARGETS[@]}"
    round_ratios "now / base (log off)" now base
    round_ratios "now / base (log on)" now-log base-log
  fi
  echo "- paired runs, now / base CPU per request (log off): $(pair_all off)"
  echo "- paired runs, now / base CPU per request (log on): $(pair_all on)"
  echo "- paired runs, this build's CPU per request log on / log off: $(pair_all log)"
  echo
  report_footer "target" "wrk reported errors (no response >= 400, which would have stopped the harness):" \
    "Four Strait processes were up during the whole run, on CPU $PROXY_CPU; only the one measured was under load."
}

report | tee "$out"
echo
log "results written to $out"
