# bench/lib.sh: shared by the load-harness scripts (bench/run.sh, bench/auth.sh): the layout and its
# defaults, tools, processes and cleanup, the pinned wrk runs with their CPU accounting and
# disturbance checks, and the medians of interleaved rounds. See docs/benchmarks.md.
#
# Sourced first by each script (it only defines constants and functions). The script then parses
# its options into connections, duration, warmup, rounds, attempts, max_wait (and paced_connections
# for fixed-rate runs), calls bench_start, builds what it needs and starts its processes.
# shellcheck shell=bash
# shellcheck disable=SC2034 # constants used by the scripts that source this file
# shellcheck disable=SC2154 # strait_pid, backend_worker: set by the scripts that source this file

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench="$root/bench"
export PATH="$PATH:/usr/sbin:/sbin" # nginx lives in /usr/sbin
# shellcheck source=../bin/lib.sh
. "$root/bin/lib.sh"

# Defaults. 64 connections saturate a one-worker proxy without measuring mostly queueing; 15 s
# runs give a p99 over a few hundred thousand requests. Strait's JIT needs 10-15 s of full load on
# one CPU to reach its steady speed, hence the warm-up (nginx gets the same). Three interleaved
# rounds, because a shared virtual machine's numbers vary from one run to the next.
DEFAULT_CONNECTIONS=64
DEFAULT_DURATION=15
DEFAULT_WARMUP=20
DEFAULT_ROUNDS=3
QUICK_DURATION=5
QUICK_WARMUP=10
QUICK_ROUNDS=1
# The backend's response body: small and fixed, so the proxy's own work dominates.
BODY="hello from the strait-bench backend"
CLIENT_CPU=0
PROXY_CPU=1
# Other processes (a compiler, a test run) on these 2 CPUs distort every number, and so does a
# hypervisor taking CPU time from a virtual machine (steal). Each measured run counts the CPU time
# used on CPUs 0-1 by anything but wrk, the backend and the proxy, plus steal; above DISTURBED_PCT
# (percent of one CPU, averaged over the run) the run is repeated, up to --attempts.
DEFAULT_ATTEMPTS=4
DISTURBED_PCT=10
# Before each measured run, wait (up to --max-wait seconds) until CPUs 0-1 are this idle over 1 s.
DEFAULT_MAX_WAIT=300
QUIET_PCT=5

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 2; }

# ---------------------------------------------------------------- options

# parse_bench_args SCRIPT PACED ARGS...: the options every harness takes (see each script's usage, which
# must be defined). PACED=true also accepts --paced-connections. Sets connections, paced_connections,
# duration, warmup, rounds, quick, out, attempts, max_wait and command_line (the run as typed, for reports).
parse_bench_args() {
  local script=$1 paced=$2 orig v ints="connections duration warmup rounds attempts max_wait"
  shift 2
  orig="$*"
  connections=$DEFAULT_CONNECTIONS paced_connections=${DEFAULT_PACED_CONNECTIONS:-} duration="" warmup="" rounds=""
  quick=false out="" attempts=$DEFAULT_ATTEMPTS max_wait=$DEFAULT_MAX_WAIT
  while [ $# -gt 0 ]; do
    case "$1" in
      --quick) quick=true ;;
      -c|--connections) connections=${2:?}; shift ;;
      --paced-connections) $paced || { echo "bench: unknown argument: $1" >&2; usage >&2; exit 2; }; paced_connections=${2:?}; shift ;;
      -d|--duration) duration=${2:?}; shift ;;
      -w|--warmup) warmup=${2:?}; shift ;;
      -r|--rounds) rounds=${2:?}; shift ;;
      -o|--out) out=${2:?}; shift ;;
      --attempts) attempts=${2:?}; shift ;;
      --max-wait) max_wait=${2:?}; shift ;;
      -h|--help) usage; exit 0 ;;
      *) echo "bench: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
  done
  if $quick; then duration=${duration:-$QUICK_DURATION} warmup=${warmup:-$QUICK_WARMUP} rounds=${rounds:-$QUICK_ROUNDS}; fi
  duration=${duration:-$DEFAULT_DURATION} warmup=${warmup:-$DEFAULT_WARMUP} rounds=${rounds:-$DEFAULT_ROUNDS}
  ! $paced || ints+=" paced_connections"
  for v in $ints; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench: --$v must be a positive integer" >&2; exit 2; }
  done
  command_line="bench/$script${orig:+ $orig}"
  if [ -n "${STRAIT_JAVA_OPTS:-}" ]; then command_line="STRAIT_JAVA_OPTS='$STRAIT_JAVA_OPTS' $command_line"; fi
}

# bench_usage SCRIPT UNIT: the usage text of a harness that takes the common options only; UNIT is
# what each measured run drives (path, target).
bench_usage() {
  local script=$1 unit=$2
  cat <<EOF2
usage: bench/$script.sh [--quick] [-c N] [-d SECONDS] [-w SECONDS] [-r ROUNDS] [-o FILE] [--attempts N] [--max-wait SECONDS]
  --quick           one round of 5 s runs after 10 s warm-ups (default: 3 rounds of 15 s, 20 s warm-ups)
  -c, --connections wrk connections (default 64)
  -d, --duration    seconds per measured run
  -w, --warmup      seconds of warm-up per $unit before measuring
  -r, --rounds      measured rounds per $unit, interleaved; the report shows medians (default 3)
  -o, --out         results file (default bench/results/$script-<timestamp>.md)
  --attempts N      runs disturbed by other processes are repeated, up to N attempts in all (default 4)
  --max-wait S      before each measured run, wait up to S seconds for the CPUs to be idle (default 300)
Environment: STRAIT_JAVA_OPTS overrides Strait's JVM options (see bin/strait for the defaults).
EOF2
}

# ---------------------------------------------------------------- tools, JDK, build

ensure_packages() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || missing+=(nginx)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
  command -v ps >/dev/null 2>&1 || missing+=(procps)
  command -v ss >/dev/null 2>&1 || missing+=(iproute2)
  command -v cyclictest >/dev/null 2>&1 || missing+=(rt-tests) # the wakeup-latency probe (wakeup_probe)
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing ${missing[*]} (apt-get)"
  $sudo apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

# bench_start: tools, CPUs and JDK checked, the temp dir made, cleanup on exit armed.
bench_start() {
  ensure_packages
  [ "$(nproc --all)" -ge 2 ] || die "needs at least 2 CPUs (one for wrk and the backend, one for the proxy)"
  strait_find_jdk || exit 2
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/strait-bench.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

build_strait() { # builds Strait if needed (bin/strait builds itself when sources changed)
  log "building Strait if needed (bin/strait)"
  "$root/bin/strait" --version >/dev/null || die "bin/strait could not build or start"
}

# ---------------------------------------------------------------- processes and cleanup

tmp=""
pids=() # every process we started and that may still run, stopped in reverse order on exit

untrack() { # PID: forget a process that has ended (and been waited for), so no reused pid is hit
  local i
  for i in "${!pids[@]}"; do [ "${pids[i]}" != "$1" ] || unset 'pids[i]'; done
  pids=("${pids[@]}")
}

stop_pid() { # PID: TERM, then KILL (with its children, e.g. nginx workers) after 10 s
  local pid=$1 i kids
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "pid $pid ignored SIGTERM for 10 s; killing it"
  kids=$(ps -o pid= --ppid "$pid" || true)
  # shellcheck disable=SC2086
  kill -KILL "$pid" $kids 2>/dev/null || true
}

cleanup() {
  local rc=$? i
  set +e
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}"; done
  wait 2>/dev/null
  if [ "$rc" -eq 0 ]; then rm -rf "$tmp"; else log "exit $rc; configs and logs kept in $tmp"; fi
  exit "$rc"
}

used_ports=" "
free_port() { # VAR: sets VAR to a port nothing uses, below the kernel's ephemeral range
  local p i
  for i in $(seq 1 500); do
    p=$((20000 + RANDOM % 12000))
    case "$used_ports" in *" $p "*) continue ;; esac
    if [ -z "$(ss -Htan "( sport = :$p or dport = :$p )" 2>/dev/null)" ]; then
      used_ports+="$p "
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  die "no free port found"
}

render() { # TEMPLATE OUT KEY=VALUE...: replaces @KEY@ by VALUE
  local src=$1 dst=$2 kv args=()
  shift 2
  for kv in "$@"; do args+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
  sed "${args[@]}" "$src" >"$dst"
  ! grep -v '^ *#' "$dst" | grep -q '@[A-Z_]*@' || die "unfilled placeholder in $dst"
}

start_nginx() { # NAME CPU CONF: starts nginx in the foreground (as our child), pinned to CPU
  local name=$1 cpu=$2 conf=$3
  mkdir -p "$tmp/$name-tmp"
  nginx -q -t -e "$tmp/$name-error.log" -c "$conf" >"$tmp/$name.out" 2>&1 ||
    die "nginx config for $name is invalid: $(cat "$tmp/$name.out")"
  taskset -c "$cpu" nginx -e "$tmp/$name-error.log" -c "$conf" -g 'daemon off;' >>"$tmp/$name.out" 2>&1 &
  pids+=($!)
  printf -v "${name}_pid" '%s' "$!"
}

nginx_worker() { # MASTER_PID: prints the worker's pid (each nginx here has exactly one)
  local w i
  for i in $(seq 1 50); do
    w=$(ps -o pid= --ppid "$1" | head -n1 | tr -d ' ')
    [ -n "$w" ] && { echo "$w"; return 0; }
    sleep 0.1
  done
  die "nginx $1 has no worker process"
}

wait_ok() { # NAME URL PID SECONDS: waits until URL answers 200, failing early if PID died
  local name=$1 url=$2 pid=$3 secs=$4 i code
  for i in $(seq 1 $((secs * 10))); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)
    [ "$code" = 200 ] && return 0
    kill -0 "$pid" 2>/dev/null || die "$name exited while starting: $(tail -n 20 "$tmp/$name"*.log "$tmp/$name.out" 2>/dev/null)"
    sleep 0.1
  done
  die "$name did not answer 200 on $url within $secs s (last status $code)"
}

check_target() { # NAME URL [STATUS [HEADER]]: one request by hand (with HEADER, "Name: value"); it
  # must answer STATUS (default 200), and a 200 must carry the backend's body
  local name=$1 url=$2 want=${3:-200} code args=()
  [ -z "${4:-}" ] || args=(-H "$4")
  code=$(curl -s "${args[@]}" -D "$tmp/check-$name.headers" -o "$tmp/check-$name.body" -w '%{http_code}' --max-time 5 "$url") ||
    die "$name: request to $url failed"
  [ "$code" = "$want" ] || die "$name answered $code on $url, expected $want: $(head -c 200 "$tmp/check-$name.body")"
  [ "$want" != 200 ] || [ "$(cat "$tmp/check-$name.body")" = "$BODY" ] ||
    die "$name returned an unexpected body: $(head -c 200 "$tmp/check-$name.body")"
}

# ---------------------------------------------------------------- measurement helpers

clk_tck=$(getconf CLK_TCK)
proc_ticks() { # PID: user+system CPU ticks of the process (all its threads)
  local stat
  [ -n "$1" ] || { echo 0; return; }
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  stat=${stat##*) }
  awk '{print $12 + $13}' <<<"$stat"
}
cpu_ticks() { # CPU: "busy total" ticks of that CPU since boot; busy = user + nice + system (the
  # time processes are charged with; interrupt time, like loopback packet processing, is not) + steal
  awk -v c="cpu$1" '$1 == c {t = 0; for (i = 2; i <= NF; i++) t += $i; print $2 + $3 + $4 + $9, t}' /proc/stat
}
shell_child_ticks() { # CPU ticks of this shell's finished children (wrk, once it has exited)
  local stat
  stat=$(cat "/proc/$$/stat")
  stat=${stat##*) }
  awk '{print $14 + $15}' <<<"$stat"
}
busy_pct() { # busy of CPUs 0 and 1 over 1 s, in percent of one CPU
  local a0 a1 b0 b1
  a0=$(cpu_ticks 0) a1=$(cpu_ticks 1)
  sleep 1
  b0=$(cpu_ticks 0) b1=$(cpu_ticks 1)
  awk -v a0="$a0" -v a1="$a1" -v b0="$b0" -v b1="$b1" 'BEGIN {
    split(a0, p, " "); split(a1, q, " "); split(b0, r, " "); split(b1, s, " ")
    printf "%.0f", 200 * (r[1] - p[1] + s[1] - q[1]) / (r[2] - p[2] + s[2] - q[2]) }'
}
wait_quiet() { # waits up to --max-wait seconds for CPUs 0-1 to be idle; returns anyway
  local start=$SECONDS logged=-30 b
  while :; do
    b=$(busy_pct)
    [ "$b" -le "$QUIET_PCT" ] && return 0
    if [ $((SECONDS - start)) -ge "$max_wait" ]; then
      log "CPUs 0-1 still ${b}% busy after ${max_wait} s of waiting; measuring anyway"
      return 0
    fi
    if [ $((SECONDS - logged)) -ge 30 ]; then log "waiting for CPUs 0-1 to be idle (now ${b}% busy)"; logged=$SECONDS; fi
  done
}
rss_sampler() { # PID FILE: appends the process's RSS in KiB (VmRSS, what ps -o rss shows) every 200 ms
  local line
  while [ -r "/proc/$1/status" ]; do
    while read -r line; do
      case "$line" in VmRSS:*) line=${line#VmRSS:}; echo "${line% kB}" >>"$2"; break ;; esac
    done <"/proc/$1/status" || true
    sleep 0.2
  done
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
proc_kib() { # PID FIELD: a size from /proc/PID/status in KiB (VmRSS, VmHWM, RssAnon, RssFile...), 0 if none
  [ -r "/proc/$1/status" ] || { echo 0; return; }
  awk -v f="$2:" '$1 == f {v = $2} END {print v + 0}' "/proc/$1/status"
}
reset_peak_rss() { # PID: sets the process's VmHWM back to its current RSS (clear_refs, Linux 4.0+); fails if not allowed
  { echo 5 >"/proc/$1/clear_refs"; } 2>/dev/null
}
mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; } # KiB -> MiB, rounded

declare -A R # results: R[label.key]
problems=()  # wrk's error lines, one entry per run that had any
disturbed=() # measured runs still disturbed after --attempts

# run_wrk LABEL URL SECONDS PROXY_PID [RATE]: one wrk run (paced with RATE, with --paced-connections);
# stores its numbers in R[LABEL.*].
# With rss_file set, samples Strait's RSS into it during the run. The array wrk_opts holds more wrk
# options for the run (e.g. -H 'Authorization: Bearer ...'). With non2xx_fatal=true, a run that
# got any response with a status >= 400 (wrk's "Non-2xx or 3xx responses") stops the harness: its
# numbers would measure error responses.
rss_file=""
wrk_opts=()
non2xx_fatal=false
aux_pid="" # a helper process of the proxy (e.g. redis-server for bench/ratelimit.sh, the server side of a
# proxy pair for bench/mesh.sh): its CPU is ours, not a disturbance; R[LABEL.aux_cpu] (percent of a CPU) and
# R[LABEL.aux_cpu_us] (per request) give it
aux_ticks() { if [ -n "$aux_pid" ]; then proc_ticks "$aux_pid"; else echo 0; fi; }
# With wakeup_probe=true, cyclictest runs on the proxy's CPU during the run (meant for runs that leave
# that CPU idle, such as the direct ones): how late a thread that sleeps and wakes on it is woken,
# with normal scheduling and no power-management override, as a proxy's event loop is. R[LABEL.wake_*]:
# avg_us, p99_us, p999_us, max_us and late_ms (wakeups more than 1 ms late, per second).
wakeup_probe=false
probe_pid=""
probe_ticks() { if [ -n "$probe_pid" ]; then proc_ticks "$probe_pid"; else echo 0; fi; }
run_wrk() {
  local label=$1 url=$2 secs=$3 ppid=$4 rate=${5:-} t0 t1 p0 p1 b0 b1 c0 c1 d0 d1 w0 w1 line kv sampler=""
  local outf="$tmp/wrk-$label.out" hist="$tmp/wakeups-$label.txt"
  if [ -n "$rss_file" ]; then
    rss_sampler "$strait_pid" "$rss_file" &
    sampler=$!
    pids+=("$sampler")
  fi
  if $wakeup_probe; then
    cyclictest -q --laptop -a "$PROXY_CPU" -t 1 --policy=other -p 0 -i 200 -D "$secs" -h 100000 >"$hist" 2>&1 &
    probe_pid=$!
    pids+=("$probe_pid")
  fi
  local x0 x1
  p0=$(proc_ticks "$ppid") b0=$(proc_ticks "$backend_worker") w0=$(shell_child_ticks) x0=$(($(aux_ticks) + $(probe_ticks)))
  c0=$(cpu_ticks "$CLIENT_CPU") d0=$(cpu_ticks "$PROXY_CPU") t0=$(date +%s.%N)
  local conns=$connections
  [ -z "$rate" ] || conns=$paced_connections
  # In the background and waited for, so that SIGTERM/SIGINT stop the run at once (bash runs traps
  # only after a foreground command ends).
  BENCH_RATE=$rate taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"${secs}s" --latency "${wrk_opts[@]}" \
    -s "$bench/wrk/bench.lua" "$url" >"$outf" 2>&1 &
  local wrk_pid=$!
  pids+=("$wrk_pid")
  wait "$wrk_pid" || die "wrk failed for $label: $(cat "$outf")"
  untrack "$wrk_pid"
  t1=$(date +%s.%N) p1=$(proc_ticks "$ppid") b1=$(proc_ticks "$backend_worker") w1=$(shell_child_ticks) x1=$(($(aux_ticks) + $(probe_ticks)))
  c1=$(cpu_ticks "$CLIENT_CPU") d1=$(cpu_ticks "$PROXY_CPU")
  if [ -n "$sampler" ]; then
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    untrack "$sampler"
  fi
  line=$(grep '^@@bench ' "$outf") || die "no @@bench line in wrk's output for $label: $(cat "$outf")"
  for kv in ${line#@@bench }; do R["$label.${kv%%=*}"]=${kv#*=}; done
  if [ -n "$probe_pid" ]; then
    wait "$probe_pid" || die "cyclictest failed during $label: $(tail -n 3 "$hist")"
    untrack "$probe_pid"
    probe_pid=""
    line=$(wakeup_summary "$hist" "$secs") || die "no histogram in cyclictest's output for $label"
    for kv in $line; do R["$label.wake_${kv%%=*}"]=${kv#*=}; done
  fi
  R["$label.proxy_cpu"]=$(awk -v a="$p0" -v b="$p1" -v s="$t0" -v e="$t1" -v hz="$clk_tck" 'BEGIN {printf "%.0f", 100 * (b - a) / hz / (e - s)}')
  R["$label.backend_cpu"]=$(awk -v a="$b0" -v b="$b1" -v s="$t0" -v e="$t1" -v hz="$clk_tck" 'BEGIN {printf "%.0f", 100 * (b - a) / hz / (e - s)}')
  R["$label.cpu0_busy"]=$(awk -v x="$c0" -v y="$c1" 'BEGIN {split(x, a, " "); split(y, b, " "); printf "%.0f", 100 * (b[1] - a[1]) / (b[2] - a[2])}')
  R["$label.cpu1_busy"]=$(awk -v x="$d0" -v y="$d1" 'BEGIN {split(x, a, " "); split(y, b, " "); printf "%.0f", 100 * (b[1] - a[1]) / (b[2] - a[2])}')
  # The proxy's CPU time per request: how much work it does, independent of how long it waited.
  R["$label.cpu_us"]=$(awk -v a="$p0" -v b="$p1" -v n="${R[$label.requests]}" -v hz="$clk_tck" 'BEGIN {printf "%.1f", 1e6 * (b - a) / hz / n}')
  R["$label.wrk_cpu"]=$(awk -v a="$w0" -v b="$w1" -v s="$t0" -v e="$t1" -v hz="$clk_tck" 'BEGIN {printf "%.0f", 100 * (b - a) / hz / (e - s)}')
  R["$label.aux_cpu"]=$(awk -v a="$x0" -v b="$x1" -v s="$t0" -v e="$t1" -v hz="$clk_tck" 'BEGIN {printf "%.0f", 100 * (b - a) / hz / (e - s)}')
  R["$label.aux_cpu_us"]=$(awk -v a="$x0" -v b="$x1" -v n="${R[$label.requests]}" -v hz="$clk_tck" 'BEGIN {printf "%.1f", 1e6 * (b - a) / hz / n}')
  # Everything else that ran on CPUs 0-1 (and steal), in percent of one CPU: what disturbed the run.
  R["$label.other_cpu"]=$(awk -v x0="$c0" -v x1="$c1" -v y0="$d0" -v y1="$d1" -v s="$t0" -v e="$t1" -v hz="$clk_tck" \
    -v ours="$((p1 - p0 + b1 - b0 + w1 - w0 + x1 - x0))" 'BEGIN {
      split(x0, a, " "); split(x1, b, " "); split(y0, c, " "); split(y1, d, " ")
      o = 100 * ((b[1] - a[1] + d[1] - c[1]) - ours) / hz / (e - s); printf "%.0f", (o < 0 ? 0 : o) }')
  R["$label.load"]=$(loadavg)
  # wrk's own error lines, verbatim, for the report.
  if grep -qE '^ *(Non-2xx|Socket errors)' "$outf"; then
    problems+=("$label: $(grep -E '^ *(Non-2xx|Socket errors)' "$outf" | sed 's/^ *//' | paste -sd ';' -)")
  fi
  if $non2xx_fatal && [ "${R[$label.err_status]}" -gt 0 ]; then
    die "$label: ${R[$label.err_status]} responses with a status >= 400 (wrk output in $outf): the run would measure errors"
  fi
  if [ -n "$ppid" ] && ! kill -0 "$ppid" 2>/dev/null; then
    log "the proxy under test (pid $ppid) died during $label"
    tail -n 40 "$tmp"/*.log >&2 || true
    exit 3
  fi
  log "$(printf '%-14s %9.0f req/s  p50 %s  p99 %s  CPU: proxy %s%% backend %s%% wrk %s%% other %s%%' "$label" "${R[$label.rps]}" \
    "$(ms "${R[$label.p50_us]}")" "$(ms "${R[$label.p99_us]}")" "${R[$label.proxy_cpu]}" "${R[$label.backend_cpu]}" \
    "${R[$label.wrk_cpu]}" "${R[$label.other_cpu]}")"
}

# run_pair LABEL SECONDS URL_A PID_A URL_B PID_B: two proxies on the same CPU, loaded at the same time by two
# wrk processes (half of --connections each, started in turn A first on odd calls, B first on even ones).
# Both see the same machine in the same seconds: a slow spell of this VM (they swing 30% within an hour)
# slows both alike, so the ratio of their CPU per request is steady to a percent or two where runs taken
# one after the other differ by 10-20%. The array wrk_opts holds more wrk options, as for run_wrk.
# Stores R[LABEL.a_cpu_us], R[LABEL.b_cpu_us] (CPU per request),
# R[LABEL.a_rps], R[LABEL.b_rps] and R[LABEL.cpu_ratio] (b over a).
pair_calls=0
run_pair() {
  local label=$1 secs=$2 ua=$3 pa=$4 ub=$5 pb=$6 a0 a1 b0 b1 wa wb half=$((connections / 2)) s
  [ "$half" -ge 1 ] || half=1
  pair_calls=$((pair_calls + 1))
  a0=$(proc_ticks "$pa") b0=$(proc_ticks "$pb")
  for s in a b; do
    local which=$s
    if [ $((pair_calls % 2)) -eq 0 ]; then [ "$s" = a ] && which=b || which=a; fi
    local url=$ua
    [ "$which" = b ] && url=$ub
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$half" -d"${secs}s" --latency "${wrk_opts[@]}" -s "$bench/wrk/bench.lua" "$url" \
      >"$tmp/pair-$label-$which.out" 2>&1 &
    if [ "$which" = a ]; then wa=$!; else wb=$!; fi
  done
  pids+=("$wa" "$wb")
  wait "$wa" || die "wrk failed for $label (A): $(cat "$tmp/pair-$label-a.out")"
  wait "$wb" || die "wrk failed for $label (B): $(cat "$tmp/pair-$label-b.out")"
  untrack "$wa"; untrack "$wb"
  a1=$(proc_ticks "$pa") b1=$(proc_ticks "$pb")
  for s in a b; do
    local line kv
    line=$(grep '^@@bench ' "$tmp/pair-$label-$s.out") || die "no @@bench line in wrk's output for $label ($s)"
    for kv in ${line#@@bench }; do R["$label.${s}_${kv%%=*}"]=${kv#*=}; done
    if grep -qE '^ *(Non-2xx|Socket errors)' "$tmp/pair-$label-$s.out"; then
      problems+=("$label ($s): $(grep -E '^ *(Non-2xx|Socket errors)' "$tmp/pair-$label-$s.out" | sed 's/^ *//' | paste -sd ';' -)")
    fi
  done
  R["$label.a_cpu_us"]=$(awk -v a="$a0" -v b="$a1" -v n="${R[$label.a_requests]}" -v hz="$clk_tck" 'BEGIN {printf "%.2f", 1e6 * (b - a) / hz / n}')
  R["$label.b_cpu_us"]=$(awk -v a="$b0" -v b="$b1" -v n="${R[$label.b_requests]}" -v hz="$clk_tck" 'BEGIN {printf "%.2f", 1e6 * (b - a) / hz / n}')
  R["$label.cpu_ratio"]=$(awk -v a="${R[$label.a_cpu_us]}" -v b="${R[$label.b_cpu_us]}" 'BEGIN {printf "%.3f", b / a}')
  for s in "$pa" "$pb"; do
    if ! kill -0 "$s" 2>/dev/null; then
      log "a proxy under test (pid $s) died during $label"
      tail -n 40 "$tmp"/*.log >&2 || true
      exit 3
    fi
  done
  log "$(printf '%-14s A %8.0f req/s %6s µs/req   B %8.0f req/s %6s µs/req   B/A CPU per request %s' "$label" \
    "${R[$label.a_rps]}" "${R[$label.a_cpu_us]}" "${R[$label.b_rps]}" "${R[$label.b_cpu_us]}" "${R[$label.cpu_ratio]}")"
}

# wakeup_summary HISTOGRAM SECONDS: cyclictest's histogram (-h, one line per microsecond bucket) as
# "avg_us=.. p99_us=.. p999_us=.. max_us=.. late_ms=.." (late_ms: wakeups later than 1 ms, per second).
wakeup_summary() {
  awk -v secs="$2" '
    /^[0-9]+[ \t]+[0-9]+/ { n[$1 + 0] += $2; total += $2; if ($1 + 0 >= 1000) late += $2; next }
    /^# Avg Latencies:/ { avg = $4 + 0 }
    /^# Max Latencies:/ { max = $4 + 0 }
    /^# Histogram Overflows:/ { over = $4 + 0 }
    END {
      total += over; late += over
      if (total == 0) exit 1
      for (b = 0; b < 100000; b++) {
        c += n[b]
        if (p99 == "" && c >= 0.99 * total) p99 = b
        if (p999 == "" && c >= 0.999 * total) p999 = b
      }
      if (p99 == "") p99 = max
      if (p999 == "") p999 = max
      printf "avg_us=%d p99_us=%d p999_us=%d max_us=%d late_ms=%.1f\n", avg, p99, p999, max, late / secs
    }' "$1"
}

# measure LABEL URL SECONDS PROXY_PID [RATE]: run_wrk on idle CPUs, repeated while disturbed
measure() {
  local label=$1 a
  for a in $(seq 1 "$attempts"); do
    wait_quiet
    run_wrk "$@"
    R["$label.attempts"]=$a
    [ "${R[$label.other_cpu]}" -le "$DISTURBED_PCT" ] && return 0
    log "$label was disturbed: other processes and steal took ${R[$label.other_cpu]}% of a CPU during it"
  done
  R["$label.disturbed"]=1
  disturbed+=("$label (other processes and steal: ${R[$label.other_cpu]}% of a CPU)")
}

ms() { awk -v u="$1" 'BEGIN {printf "%.2f ms", u / 1000}'; }
fmt_ms() { awk -v u="$1" 'BEGIN {printf "%.2f", u / 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
verdict() { if awk "BEGIN {exit !($1)}"; then echo PASS; else echo FAIL; fi; }

undisturbed() { # TARGET PHASE KEY: KEY of each round that was not disturbed, one a line
  local r
  for r in $(seq 1 "$rounds"); do [ -n "${R[$2-$1-$r.disturbed]:-}" ] || echo "${R[$2-$1-$r.$3]}"; done
}
min_of() { undisturbed "$@" | sort -g | head -n1; }
max_of() { undisturbed "$@" | sort -g | tail -n1; }

median() { # numbers on the command line: prints their median
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# med TARGET PHASE KEY: the median of KEY over the rounds of TARGET in PHASE, leaving out the
# rounds that stayed disturbed unless all did
med() {
  local r vals=() all=()
  for r in $(seq 1 "$rounds"); do
    all+=("${R[$2-$1-$r.$3]}")
    [ -n "${R[$2-$1-$r.disturbed]:-}" ] || vals+=("${R[$2-$1-$r.$3]}")
  done
  if [ ${#vals[@]} -gt 0 ]; then median "${vals[@]}"; else median "${all[@]}"; fi
}
medi() { printf '%.0f' "$(med "$@")"; } # the same, rounded to an integer

# ---------------------------------------------------------------- report

# bench_env: sets git_rev, java_version, nginx_version, wrk_version and cpu_model for the report
bench_env() {
  git_rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ -z "$(git -C "$root" status --porcelain -- . 2>/dev/null)" ] || git_rev+=" (with local changes)"
  java_version=$("$JAVA_HOME/bin/java" -version 2>&1 | head -n1)
  nginx_version=$(nginx -v 2>&1 | sed 's/^nginx version: //')
  wrk_version=$({ wrk -v 2>&1 || true; } | head -n1 | awk '{print $1, $2}')
  cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
}

# report_footer KIND ERRORS_HEADER [NOTE]: the end of a report: whether runs were disturbed (KIND: what a
# round measured, "kind" or "path"), NOTE if given, wrk's errors, and Strait's warnings. Reads the
# arrays disturbed and problems and the variables attempts and strait_warnings.
# every_round PREFIX TARGET...: a report's list of every peak round of each target (req/s / p99 /
# other CPU, * when disturbed); PREFIX goes before each target's name (e.g. "/" for paths).
every_round() {
  local prefix=$1 t r line
  shift
  echo
  echo "Every round (req/s / p99 / CPU taken by other processes and steal; * = disturbed, left out of the medians):"
  echo
  for t in "$@"; do
    line="- $prefix$t:"
    for r in $(seq 1 "$rounds"); do line+=" $(printf '%.0f' "${R[peak-$t-$r.rps]}")/$(fmt_ms "${R[peak-$t-$r.p99_us]}")ms/${R[peak-$t-$r.other_cpu]}%${R[peak-$t-$r.disturbed]:+*}"; done
    echo "$line"
  done
}

# round_ratios LABEL A B: one line with A's peak req/s over B's, round by round.
round_ratios() {
  local label=$1 a=$2 b=$3 r line
  line="- $label, round by round:"
  for r in $(seq 1 "$rounds"); do line+=" $(ratio "${R[peak-$a-$r.rps]}" "${R[peak-$b-$r.rps]}")x"; done
  echo "$line"
}

report_footer() {
  local kind=$1 errors_header=$2 note=${3:-} t
  if [ ${#disturbed[@]} -eq 0 ]; then
    echo "No measured run was disturbed: other processes and steal took at most ${DISTURBED_PCT}% of a CPU during each."
  else
    echo "**Disturbed** (other processes and steal still took over ${DISTURBED_PCT}% of a CPU after $attempts attempts; left out of the medians when another round of the same $kind was not disturbed):"
    echo
    for t in "${disturbed[@]}"; do echo "- $t"; done
  fi
  echo
  [ -z "$note" ] || echo "$note"
  if [ ${#problems[@]} -eq 0 ]; then
    echo "wrk reported no errors and no non-2xx/3xx responses."
  else
    echo "$errors_header"
    echo
    for t in "${problems[@]}"; do echo "- $t"; done
  fi
  if [ -n "$strait_warnings" ]; then
    echo
    echo "Strait logged warnings or errors:"
    echo
    echo '```'
    echo "$strait_warnings"
    echo '```'
  fi
}
