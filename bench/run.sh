#!/usr/bin/env bash
# bench/run.sh: the load harness. Puts Strait and nginx, each as a one-core reverse proxy, in front
# of the same nginx backend and measures, with wrk: peak requests/s with p50/p99 (and the backend
# directly, for reference), p99 at a fixed rate of half nginx's peak, and Strait's peak RSS. Prints
# a markdown report and writes it to a results file. See docs/benchmarks.md ("Load harness").
#
# Layout (2 cores): CPU 0 runs wrk and the backend, CPU 1 runs the proxy under test (nginx or
# Strait, never both at once under load). Everything listens on 127.0.0.1, on unused ports.
#
# Exit status: 0 when the measurement completed, whether or not Strait met its targets; 2 when the
# harness itself failed (missing tools, a process that would not start, unparseable wrk output);
# 3 when a proxy under test died during the run.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
usage: bench/run.sh [--quick] [-c N] [-d SECONDS] [-w SECONDS] [-r ROUNDS] [-o FILE] [--attempts N] [--max-wait SECONDS]
  --quick           one round of 5 s runs after 10 s warm-ups (default: 3 rounds of 15 s, 20 s warm-ups)
  -c, --connections wrk connections for the peak runs (default 64)
  --paced-connections N  wrk connections for the fixed-rate runs (default 256)
  -d, --duration    seconds per measured run
  -w, --warmup      seconds of warm-up per target before measuring
  -r, --rounds      measured rounds per target, interleaved; the report shows medians (default 3)
  -o, --out         results file (default bench/results/<timestamp>.md)
  --attempts N      runs disturbed by other processes are repeated, up to N attempts in all (default 4)
  --max-wait S      before each measured run, wait up to S seconds for the CPUs to be idle (default 300)
Environment: STRAIT_JAVA_OPTS overrides Strait's JVM options (see bin/strait for the defaults).
EOF
}

# Defaults shared with bench/auth.sh are in bench/lib.sh.
# The fixed-rate runs keep more connections open than requests in flight, so that a stall of up to
# 256 / rate seconds (about 20 ms at 12k req/s) does not hold back the requests due meanwhile.
DEFAULT_PACED_CONNECTIONS=256
# The targets Strait is measured against (docs/benchmarks.md explains them).
TARGET_RPS_RATIO=0.90
TARGET_P99_DELTA_MS=1.0
TARGET_RSS_MIB=200
# A fixed-rate run whose achieved rate is below this share of the target rate did not hold the rate.
MIN_ACHIEVED_SHARE=0.95

parse_bench_args run.sh true "$@"

bench_start
build_strait

# ---------------------------------------------------------------- start everything

load_before=$(uptime | sed 's/^ *//')
log "load before: $load_before"

free_port backend_port
free_port proxy_port
free_port strait_port
free_port admin_port

render "$bench/conf/backend.nginx.conf" "$tmp/backend.conf" TMP="$tmp" BACKEND_PORT="$backend_port" BODY="$BODY"
render "$bench/conf/proxy.nginx.conf" "$tmp/proxy.conf" TMP="$tmp" BACKEND_PORT="$backend_port" PROXY_PORT="$proxy_port"
render "$bench/conf/strait.yaml" "$tmp/strait.yaml" BACKEND_PORT="$backend_port" STRAIT_PORT="$strait_port" ADMIN_PORT="$admin_port"

start_nginx backend "$CLIENT_CPU" "$tmp/backend.conf"
start_nginx proxy "$PROXY_CPU" "$tmp/proxy.conf"
backend_worker=$(nginx_worker "$backend_pid")
proxy_worker=$(nginx_worker "$proxy_pid")

log "starting Strait (pinned to CPU $PROXY_CPU)"
taskset -c "$PROXY_CPU" "$root/bin/strait" gateway --config "$tmp/strait.yaml" >"$tmp/strait.log" 2>&1 &
strait_pid=$!
pids+=("$strait_pid")

direct_url="http://127.0.0.1:$backend_port/bench"
nginx_url="http://127.0.0.1:$proxy_port/bench"
strait_url="http://127.0.0.1:$strait_port/bench"
wait_ok backend "$direct_url" "$backend_pid" 10
wait_ok proxy "$nginx_url" "$proxy_pid" 10
wait_ok strait "http://127.0.0.1:$admin_port/ready" "$strait_pid" 120
check_target direct "$direct_url"
check_target nginx "$nginx_url"
check_target strait "$strait_url"
[ "$(ps -o comm= -p "$strait_pid")" = java ] || die "pid $strait_pid is not the Strait JVM"
strait_ready=$(grep -o 'strait ready ([^)]*)' "$tmp/strait.log" | head -n1 || true)
log "backend :$backend_port (pid $backend_pid), nginx :$proxy_port (pid $proxy_pid), Strait :$strait_port (pid $strait_pid; $strait_ready)"

declare -A proxy_pid_of=([direct]="" [nginx]="$proxy_worker" [strait]="$strait_pid")
declare -A url_of=([direct]="$direct_url" [nginx]="$nginx_url" [strait]="$strait_url")

# ---------------------------------------------------------------- peak throughput

for t in direct nginx strait; do
  log "warming up $t for $warmup s"
  run_wrk "warmup-$t" "${url_of[$t]}" "$warmup" "${proxy_pid_of[$t]}"
done

rss_samples="$tmp/strait-rss.txt"
: >"$rss_samples"
for r in $(seq 1 "$rounds"); do
  for t in direct nginx strait; do
    rss_file=""
    [ "$t" = strait ] && rss_file=$rss_samples
    measure "peak-$t-$r" "${url_of[$t]}" "$duration" "${proxy_pid_of[$t]}"
  done
done
rss_file=""
rss_max_kib=$(sort -n "$rss_samples" | tail -n1)
[ -n "$rss_max_kib" ] || die "no RSS sample of Strait"
rss_max_mib=$(awk -v k="$rss_max_kib" 'BEGIN {printf "%.0f", k / 1024}')

# ---------------------------------------------------------------- p99 at half of nginx's peak

nginx_peak=$(med nginx peak rps)
rate=$(awk -v p="$nginx_peak" 'BEGIN {printf "%d", p / 2}')
[ "$rate" -gt 0 ] || die "nginx's peak rate is 0"
# A fixed-rate warm-up for both proxies: the paced runs open $paced_connections client connections and
# as many upstream ones, code paths the peak warm-up never ran. Strait's JIT compiles them in the
# first second (hundreds of methods, on the proxy's only CPU); without this warm-up that storm lands
# in the first measured round. Each paced run opens and closes its connections, and those paths run
# only once per connection: after one warm-up run the JIT was still compiling 150, then 50, 30, 17 methods
# in the following runs (docs/benchmarks.md), so the warm-up is FIXED_WARMUP_RUNS runs, each a new
# set of connections. nginx gets the same warm-up, so both are measured in steady state.
FIXED_WARMUP_RUNS=4
for t in nginx strait; do
  log "warming up $t at the fixed rate: $FIXED_WARMUP_RUNS runs of $warmup s"
  for w in $(seq 1 "$FIXED_WARMUP_RUNS"); do
    run_wrk "warmup-half-$t-$w" "${url_of[$t]}" "$warmup" "${proxy_pid_of[$t]}" "$rate"
  done
done
# The backend alone at the same rate is the floor the proxies are measured against: wrk, the backend and
# the VM's scheduling. During it the proxy's CPU is idle, and cyclictest measures how late a thread is
# woken there (see wakeup_probe in lib.sh): stalls of the CPU hold up whichever proxy runs on it.
for r in $(seq 1 "$rounds"); do
  for t in direct nginx strait; do
    log "fixed rate $rate req/s against $t"
    [ "$t" = direct ] && wakeup_probe=true
    measure "half-$t-$r" "${url_of[$t]}" "$duration" "${proxy_pid_of[$t]}" "$rate"
    wakeup_probe=false
  done
done
rss_end_mib=$(awk -v k="$(ps -o rss= -p "$strait_pid")" 'BEGIN {printf "%.0f", k / 1024}')
load_after=$(uptime | sed 's/^ *//')
log "load after: $load_after"

# Strait's own complaints during the run (its stderr), verbatim.
strait_warnings=$(grep -E ' (WARN|ERROR) ' "$tmp/strait.log" | head -n 20 || true)

# ---------------------------------------------------------------- report

nginx_rps=$nginx_peak
strait_rps=$(med strait peak rps)
rps_ratio=$(ratio "$strait_rps" "$nginx_rps")
n_p99=$(med nginx half p99_us) s_p99=$(med strait half p99_us)
p99_delta=$(awk -v a="$s_p99" -v b="$n_p99" 'BEGIN {printf "%+.2f", (a - b) / 1000}')
n_ach=$(med nginx half rps) s_ach=$(med strait half rps)
held=$(awk -v a="$s_ach" -v r="$rate" -v m="$MIN_ACHIEVED_SHARE" 'BEGIN {print (a >= m * r) ? 1 : 0}')
pass_rps=$(verdict "$rps_ratio >= $TARGET_RPS_RATIO")
pass_p99=$(verdict "$held == 1 && ($s_p99 - $n_p99) / 1000 <= $TARGET_P99_DELTA_MS")
pass_rss=$(verdict "$rss_max_mib < $TARGET_RSS_MIB")

bench_env
results_dir="$bench/results"
if [ -z "$out" ]; then mkdir -p "$results_dir"; out="$results_dir/$(date +%Y%m%d-%H%M%S).md"; fi

report() {
  local t
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on commit $git_rev with \`$command_line\`"
  echo "($connections connections, ${duration} s per run after ${warmup} s of warm-up per target, $rounds round(s), medians shown)."
  echo
  echo "- Machine: $(nproc --all) CPUs ($cpu_model), $(uname -sr); $nginx_version, $wrk_version, $java_version."
  echo "- Strait JVM options: \`${STRAIT_JAVA_OPTS:-bin/strait defaults}\`; $strait_ready."
  echo "- Load average before: \`$load_before\`"
  echo "- Load average after: \`$load_after\`"
  echo
  echo "Peak throughput (wrk -t1 -c$connections on CPU $CLIENT_CPU with the backend; the proxy alone on CPU $PROXY_CPU):"
  echo
  echo "| target | req/s | p50 | p99 | vs nginx | proxy CPU per request | CPU: proxy / backend / wrk | other + steal |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for t in direct nginx strait; do
    local name=$t pc cpr
    if [ "$t" = direct ]; then
      name="direct (backend)" pc="-" cpr="-"
    else
      pc="$(medi "$t" peak proxy_cpu)%" cpr="$(med "$t" peak cpu_us) µs"
    fi
    printf '| %s | %.0f | %s ms | %s ms | %sx | %s | %s / %s%% / %s%% | %s%% |\n' "$name" "$(med "$t" peak rps)" \
      "$(fmt_ms "$(med "$t" peak p50_us)")" "$(fmt_ms "$(med "$t" peak p99_us)")" \
      "$(ratio "$(med "$t" peak rps)" "$nginx_rps")" "$cpr" "$pc" "$(medi "$t" peak backend_cpu)" "$(medi "$t" peak wrk_cpu)" \
      "$(medi "$t" peak other_cpu)"
  done
  echo
  echo "Fixed rate of half nginx's peak ($rate req/s, paced by bench/wrk/bench.lua over $paced_connections connections):"
  echo
  echo "| target | achieved req/s | p50 | p99 | p99.9 | max | late sends | proxy CPU | other + steal |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for t in direct nginx strait; do
    local name=$t pc
    if [ "$t" = direct ]; then name="direct (backend)" pc="-"; else pc="$(medi "$t" half proxy_cpu)%"; fi
    printf '| %s | %.0f | %s ms | %s ms | %s ms | %s ms | %s | %s | %s%% |\n' "$name" "$(med "$t" half rps)" \
      "$(fmt_ms "$(med "$t" half p50_us)")" "$(fmt_ms "$(med "$t" half p99_us)")" \
      "$(fmt_ms "$(med "$t" half p999_us)")" "$(fmt_ms "$(med "$t" half max_us)")" "$(medi "$t" half late)" \
      "$pc" "$(medi "$t" half other_cpu)"
  done
  echo
  echo "Wakeup latency of CPU $PROXY_CPU while CPU $CLIENT_CPU served that rate directly (cyclictest: a normal thread"
  echo "waking every 200 µs; medians of the direct rounds): average $(med direct half wake_avg_us) µs, p99 $(med direct half wake_p99_us) µs,"
  echo "p99.9 $(med direct half wake_p999_us) µs, max $(fmt_ms "$(med direct half wake_max_us)") ms; $(med direct half wake_late_ms) wakeups a second were more than 1 ms late."
  echo "A proxy on that CPU is held up by the same stalls, and its backlog after each one drains more slowly the busier it is."
  if [ "$rounds" -gt 1 ]; then
    local lo hi
    lo=$(min_of nginx half p99_us) hi=$(max_of nginx half p99_us)
    [ -z "$lo" ] || lo=$(fmt_ms "$lo") hi=$(fmt_ms "$hi")
    echo
    [ -z "$lo" ] || echo "nginx's own p99 at this rate ranged from $lo to $hi ms between undisturbed rounds: differences smaller than that are noise."
  fi
  echo
  echo "Proxy CPU per request at peak: nginx $(med nginx peak cpu_us) µs, Strait $(med strait peak cpu_us) µs; nginx/Strait = $(ratio "$(med nginx peak cpu_us)" "$(med strait peak cpu_us)")x, the throughput ratio if the proxy's CPU were the only limit."
  echo
  echo "Strait p99 - nginx p99 at $rate req/s: **$p99_delta ms**. Strait peak RSS during the peak run(s): **$rss_max_mib MiB** ($rss_end_mib MiB at the end)."
  echo
  echo "| target | goal | measured | result |"
  echo "|---|---|---|---|"
  echo "| throughput | Strait >= ${TARGET_RPS_RATIO}x nginx req/s | ${rps_ratio}x | $pass_rps |"
  echo "| latency | Strait p99 at half nginx's peak within ${TARGET_P99_DELTA_MS} ms of nginx | $p99_delta ms$([ "$held" = 1 ] || echo ", rate not held") | $pass_p99 |"
  echo "| memory | Strait peak RSS < ${TARGET_RSS_MIB} MiB | $rss_max_mib MiB | $pass_rss |"
  if [ "$rounds" -gt 1 ]; then
    echo
    echo "Every round (req/s / p99 / CPU taken by other processes and steal; * = disturbed, left out of the medians):"
    echo
    for t in direct nginx strait; do
      local r line="- $t peak:"
      for r in $(seq 1 "$rounds"); do line+=" $(printf '%.0f' "${R[peak-$t-$r.rps]}")/$(fmt_ms "${R[peak-$t-$r.p99_us]}")ms/${R[peak-$t-$r.other_cpu]}%${R[peak-$t-$r.disturbed]:+*}"; done
      echo "$line"
    done
    for t in direct nginx strait; do
      local r line="- $t at $rate req/s:"
      for r in $(seq 1 "$rounds"); do line+=" $(printf '%.0f' "${R[half-$t-$r.rps]}")/$(fmt_ms "${R[half-$t-$r.p99_us]}")ms/${R[half-$t-$r.other_cpu]}%${R[half-$t-$r.disturbed]:+*}"; done
      echo "$line"
    done
    line="- Strait/nginx req/s, round by round:"
    for r in $(seq 1 "$rounds"); do line+=" $(ratio "${R[peak-strait-$r.rps]}" "${R[peak-nginx-$r.rps]}")x"; done
    echo "$line"
    line="- proxy CPU per request at peak (nginx, Strait), round by round:"
    for r in $(seq 1 "$rounds"); do line+=" ${R[peak-nginx-$r.cpu_us]}/${R[peak-strait-$r.cpu_us]} µs"; done
    echo "$line"
    line="- Strait - nginx p99 at $rate req/s, round by round:"
    for r in $(seq 1 "$rounds"); do
      line+=" $(awk -v a="${R[half-strait-$r.p99_us]}" -v b="${R[half-nginx-$r.p99_us]}" 'BEGIN {printf "%+.2f", (a - b) / 1000}') ms"
    done
    echo "$line"
    line="- CPU $PROXY_CPU wakeups more than 1 ms late per second, p99 / max wakeup latency, round by round:"
    for r in $(seq 1 "$rounds"); do
      line+=" ${R[half-direct-$r.wake_late_ms]}/s $(fmt_ms "${R[half-direct-$r.wake_p99_us]}")/$(fmt_ms "${R[half-direct-$r.wake_max_us]}") ms"
    done
    echo "$line"
  fi
  echo
  report_footer "kind" "wrk reported errors:"
}

report | tee "$out"
echo
log "results written to $out"
