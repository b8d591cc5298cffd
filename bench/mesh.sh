#!/usr/bin/env bash
# bench/mesh.sh: what the service mesh costs (issue 14's benchmark). In one run, against the same nginx
# backend:
#   direct   wrk -> backend (the floor);
#   strait   wrk -> the client's sidecar (outbound, plain HTTP on a per-service local port) -> mutual TLS ->
#            the backend's sidecar (inbound STRICT, an Istio ALLOW AuthorizationPolicy naming the client's
#            principal) -> backend. Both are real `bin/strait sidecar --config FILE` processes (the launcher's
#            sidecar JVM options and JDK AOT cache) joined with join tokens to a real `bin/strait control-plane`;
#   haproxy  the same shape with two HAProxy processes: HTTP in -> TLS 1.3 with a client certificate ->
#            TLS in with `verify required`, the caller, method and path checked -> HTTP to the backend.
# Measured: the p50/p99 each pair adds over the direct call at a fixed 1,000 req/s (same connections),
# peak req/s through each pair, each proxy's CPU per 1,000 req/s and RSS idle and at 1,000 req/s, and a
# sidecar's start-to-ready time. Prints a markdown report with the issue's targets and writes it to
# bench/results. See docs/benchmarks.md ("Mesh: sidecar pair vs HAProxy").
#
# Layout (2 cores): CPU 0 runs wrk, the backend and the control plane (idle during the measured runs: it
# only takes heartbeats); CPU 1 runs the pair under test, both of its proxies, as a node whose sidecars get
# one core between them. Both pairs are up during the whole run; only the one measured is under load.
#
# Exit status: 0 when the measurement completed, whether or not the targets were met; 2 when the harness
# failed (a tool missing, a process that would not start, the policy not in force, error responses under
# load); 3 when a proxy under test died.
# shellcheck disable=SC2154 # ports and pids are set by free_port and printf -v, options by parse_bench_args
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
usage: bench/mesh.sh [--quick] [-c N] [--paced-connections N] [-d SECONDS] [-w SECONDS] [-r ROUNDS] [-o FILE] [--attempts N] [--max-wait SECONDS]
  --quick           one round of 5 s runs after 10 s warm-ups (default: 3 rounds of 15 s, 20 s warm-ups)
  -c, --connections wrk connections for the peak runs (default 64)
  --paced-connections N  wrk connections for the 1,000 req/s runs, the same for the direct call and both pairs (default 64)
  -d, --duration    seconds per measured run
  -w, --warmup      seconds of warm-up per target (at peak, then at 1,000 req/s) before measuring
  -r, --rounds      measured rounds, each running direct, the sidecar pair and the HAProxy pair in turn; medians shown (default 3)
  -o, --out         results file (default bench/results/mesh-<timestamp>.md)
  --attempts N      runs disturbed by other processes are repeated, up to N attempts in all (default 4)
  --max-wait S      before each measured run, wait up to S seconds for the CPUs to be idle (default 300)
Environment: STRAIT_JAVA_OPTS replaces the sidecars' JVM options (see bin/strait for the defaults);
STRAIT_BENCH_HOLD=1 stops once the sidecar pair is up and holds it (ports and pids in the run's lab.env) for profiling.
Needs haproxy (apt-get install -y haproxy) and openssl; installs them when missing if run as root.
EOF
}

# 64 connections at 1,000 req/s: each is used every 64 ms, so a stall of up to 64 ms does not hold back
# the requests due meanwhile (they leave on time on other connections), and far fewer connections than
# bench/run.sh's 256 at 12k req/s, which would be unlike a service's few callers.
DEFAULT_PACED_CONNECTIONS=64
# The issue's fixed rate and targets.
MESH_RATE=1000
RATE_TEXT="1,000" # MESH_RATE as the report writes it
TARGET_P50_ADDED_MS=0.3
TARGET_P99_ADDED_MS=1.0
TARGET_CORES_PER_1K=0.2
TARGET_RSS_IDLE_MIB=96
TARGET_RSS_LOAD_MIB=128
TARGET_READY_S=1.0
# A fixed-rate run whose achieved rate is below this share of MESH_RATE did not hold the rate.
MIN_ACHIEVED_SHARE=0.95
# Start-to-ready: launches per way of starting (bin/strait, and the same JVM command without the launcher).
READY_RUNS=5
# Requests through each pair before the idle RSS is read ("after a few requests").
IDLE_REQUESTS=20
TARGETS=(direct strait haproxy)
NAMESPACE=bench
TRUST_DOMAIN=cluster.local

parse_bench_args mesh.sh true "$@"

ensure_mesh_tools() { # haproxy and openssl, from apt when missing (as root), else how to get them
  local missing=()
  command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "missing ${missing[*]}: install with 'sudo apt-get install -y ${missing[*]}' (Debian 12 has HAProxy 2.6) and run again"
  fi
  log "installing ${missing[*]} (apt-get)"
  apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}
ensure_mesh_tools
bench_start
build_strait

strait="$root/bin/strait"
jar="$root/strait-cli/target/strait-cli-0.1.0-SNAPSHOT-all.jar"
aot="$root/strait-cli/target/strait-sidecar.aot"

load_before=$(uptime | sed 's/^ *//')
log "load before: $load_before"

# ---------------------------------------------------------------- backend and control plane

free_port backend_port
render "$bench/conf/backend.nginx.conf" "$tmp/backend.conf" TMP="$tmp" BACKEND_PORT="$backend_port" BODY="$BODY"
start_nginx backend "$CLIENT_CPU" "$tmp/backend.conf"
backend_worker=$(nginx_worker "$backend_pid")
direct_url="http://127.0.0.1:$backend_port/bench"
wait_ok backend "$direct_url" "$backend_pid" 10

free_port cp_api_port
free_port cp_admin_port
render "$bench/conf/mesh-control-plane.yaml" "$tmp/control-plane.yaml" TMP="$tmp" API_PORT="$cp_api_port" ADMIN_PORT="$cp_admin_port"
cp "$bench/conf/mesh-policies.yaml" "$tmp/mesh-policies.yaml"
log "starting the control plane (pinned to CPU $CLIENT_CPU)"
taskset -c "$CLIENT_CPU" "$strait" control-plane --config "$tmp/control-plane.yaml" >"$tmp/control-plane.log" 2>&1 &
cp_pid=$!
pids+=("$cp_pid")
wait_ok control-plane "http://127.0.0.1:$cp_admin_port/ready" "$cp_pid" 120
curl -fsS --max-time 5 -o "$tmp/bundle.pem" "http://127.0.0.1:$cp_admin_port/trust-bundle" || die "GET /trust-bundle failed"

join_token() { # ACCOUNT FILE: a single-use join token for bench/ACCOUNT, written to FILE (never printed)
  local out token
  out=$(taskset -c "$CLIENT_CPU" "$strait" control-plane --config "$tmp/control-plane.yaml" token create \
    --namespace "$NAMESPACE" --account "$1" --ttl 1h 2>&1) || die "token create for $1 failed: $out"
  token=$(grep -o 'sjt_[A-Za-z0-9_-]*' <<<"$out" | awk 'NR == 1')
  [ -n "$token" ] || die "token create for $1 printed no token"
  (umask 077 && printf '%s\n' "$token" >"$2")
}

sidecar_config() { # NAME SERVICE ACCOUNT INBOUND OUTBOUND ADMIN SERVICES: writes $tmp/sidecar-NAME.yaml
  render "$bench/conf/mesh-sidecar.yaml" "$tmp/sidecar-$1.yaml" SERVICE="$2" ACCOUNT="$3" TOKEN_FILE="$1.token" \
    API_PORT="$cp_api_port" INBOUND_PORT="$4" OUTBOUND_PORT="$5" ADMIN_PORT="$6" APP_PORT="$backend_port" SERVICES="$7"
}

# ---------------------------------------------------------------- the sidecars' AOT cache

# bin/strait starts sidecars from a JDK AOT cache (JDK 25+) that the first sidecar run after a build records,
# written when that sidecar exits. A measured sidecar must not be that trainer: train it first if needed.
aot_note="the launcher's JDK AOT cache"
if [ -n "${STRAIT_JAVA_OPTS:-}" ]; then
  aot_note="no AOT cache (STRAIT_JAVA_OPTS replaces the launcher's options)"
elif [ "$(strait_java_version "$JAVA_HOME/bin/java")" -lt 25 ]; then
  aot_note="no AOT cache (JDK $(strait_java_version "$JAVA_HOME/bin/java") < 25)"
elif ! { [ -f "$aot" ] && [ "$aot" -nt "$jar" ]; }; then
  log "training the sidecars' AOT cache: one sidecar run that serves a few requests (it writes $aot when it exits)"
  join_token trainer "$tmp/trainer.token"
  free_port trainer_outbound; free_port trainer_admin
  sidecar_config trainer trainer trainer 0 "$trainer_outbound" "$trainer_admin" ""
  # As a real first run trains it (a sidecar that serves until it stops): the app calls the admin API and the outbound
  # port, so the HTTP server, the proxy path and local replies are in the cache, not only the start.
  trainer_app="for i in 1 2 3 4 5; do curl -s -o /dev/null http://127.0.0.1:$trainer_admin/ready; \
curl -s -o /dev/null http://127.0.0.1:$trainer_admin/metrics; curl -s -o /dev/null -H 'Host: backend' http://127.0.0.1:$trainer_outbound/bench; done"
  taskset -c "$PROXY_CPU" "$strait" sidecar --config "$tmp/sidecar-trainer.yaml" --ready-timeout 120 -- sh -c "$trainer_app" \
    >"$tmp/sidecar-trainer.log" 2>&1 &
  trainer_pid=$!
  pids+=("$trainer_pid")
  for _ in $(seq 1 1800); do kill -0 "$trainer_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$trainer_pid" 2>/dev/null && die "the AOT training sidecar did not exit within 180 s (log: $tmp/sidecar-trainer.log)"
  wait "$trainer_pid" || die "the AOT training sidecar failed: $(tail -n 20 "$tmp/sidecar-trainer.log")"
  untrack "$trainer_pid"
  { [ -f "$aot" ] && [ "$aot" -nt "$jar" ]; } || die "no AOT cache after the training run (another process may be training it: $aot.training)"
fi

# ---------------------------------------------------------------- the sidecar pair

free_port server_inbound; free_port server_outbound; free_port server_admin
free_port client_inbound; free_port client_outbound; free_port client_admin; free_port client_local
join_token server "$tmp/server.token"
join_token client "$tmp/client.token"
sidecar_config server backend server "$server_inbound" "$server_outbound" "$server_admin" ""
sidecar_config client client client "$client_inbound" "$client_outbound" "$client_admin" "backend: $client_local"
for s in server client; do
  log "starting the $s's sidecar (pinned to CPU $PROXY_CPU)"
  # bin/strait execs the JVM: $! is the sidecar's JVM. Its access log (on, as a sidecar's is) goes to the file.
  taskset -c "$PROXY_CPU" "$strait" sidecar --config "$tmp/sidecar-$s.yaml" >"$tmp/sidecar-$s.log" 2>&1 &
  printf -v "${s}_pid" '%s' "$!"
  pids+=("$!")
done
wait_ok sidecar-server "http://127.0.0.1:$server_admin/ready" "$server_pid" 120
wait_ok sidecar-client "http://127.0.0.1:$client_admin/ready" "$client_pid" 120
[ "$(ps -o comm= -p "$client_pid")" = java ] || die "pid $client_pid is not the client sidecar's JVM"
sidecar_cmd=$(tr '\0' ' ' <"/proc/$server_pid/cmdline")
sidecar_opts=$(sed -e 's/^.*--enable-native-access=ALL-UNNAMED //' -e 's/ -jar .*$//' <<<"$sidecar_cmd")
case "$sidecar_opts" in *-XX:AOTCache=*) ;; *) [ -n "${STRAIT_JAVA_OPTS:-}" ] || aot_note="no AOT cache (bin/strait did not use it)" ;; esac

strait_url="http://127.0.0.1:$client_local/bench"
strait_denied="http://127.0.0.1:$client_local/denied"
# The control plane pushes the backend's endpoint to the client and the policy to the backend's sidecar
# within a second or two of their registering: until then the call is a 404/503, and with no ALLOW policy yet
# the backend's sidecar would allow anything, so both are awaited.
log "waiting for the mesh: the backend's endpoint at the client's sidecar, the ALLOW policy at the backend's"
for i in $(seq 1 600); do
  a=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$strait_url" || true)
  d=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$strait_denied" || true)
  [ "$a" = 200 ] && [ "$d" = 403 ] && break
  for p in "$server_pid" "$client_pid"; do
    kill -0 "$p" 2>/dev/null || die "a sidecar exited: $(tail -n 20 "$tmp"/sidecar-*.log)"
  done
  [ "$i" -lt 600 ] || die "the mesh was not set up within 60 s: GET /bench answered $a, GET /denied $d (logs in $tmp)"
  sleep 0.1
done
check_target strait "$strait_url"
check_target strait-denied "$strait_denied" 403
grep -q '"rbac_denied"' "$tmp/check-strait-denied.body" || die "GET /denied was not denied by the policy: $(cat "$tmp/check-strait-denied.body")"
denied_count=$(curl -fsS --max-time 5 "http://127.0.0.1:$server_admin/metrics" | awk '/^strait_authz_denied_total/ {s += $2} END {printf "%d", s}')
[ "$denied_count" -ge 1 ] || die "the backend's sidecar counted no authorization denial after GET /denied"
strait_ready_line=$(grep -o 'strait ready ([^)]*)' "$tmp/sidecar-client.log" | head -n1 || true)

# STRAIT_BENCH_HOLD=1: stop here with the sidecar pair up (for profiling it by hand); ports and pids in $tmp/lab.env
if [ "${STRAIT_BENCH_HOLD:-}" = 1 ]; then
  printf 'URL=%s\nCLIENT_PID=%s\nSERVER_PID=%s\nCLIENT_ADMIN=%s\nSERVER_ADMIN=%s\nCP_ADMIN=%s\nTMP=%s\n' "$strait_url" \
    "$client_pid" "$server_pid" "$client_admin" "$server_admin" "$cp_admin_port" "$tmp" >"$tmp/lab.env"
  log "holding (STRAIT_BENCH_HOLD=1): $tmp/lab.env; Ctrl-C or TERM stops it all"
  while :; do sleep 1; done
fi

# ---------------------------------------------------------------- the HAProxy pair

log "making the HAProxy pair's certificates (openssl: a CA, a server and a client certificate)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/haproxy-ca.key" \
  -out "$tmp/haproxy-ca.pem" -days 2 -subj "/O=strait-bench/CN=bench mesh CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" >"$tmp/openssl.log" 2>&1 ||
  die "openssl could not make the CA: $(cat "$tmp/openssl.log")"
leaf_cert() { # NAME SAN...: $tmp/haproxy-NAME.pem, the certificate and its key (HAProxy's crt format)
  local name=$1 san
  shift
  san=$(IFS=,; echo "$*")
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=$san" >"$tmp/haproxy-$name.ext"
  if ! openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/haproxy-$name.key" \
    -out "$tmp/haproxy-$name.csr" -subj "/O=strait-bench/CN=$name" >>"$tmp/openssl.log" 2>&1 ||
    ! openssl x509 -req -in "$tmp/haproxy-$name.csr" -CA "$tmp/haproxy-ca.pem" -CAkey "$tmp/haproxy-ca.key" -CAcreateserial \
      -days 2 -extfile "$tmp/haproxy-$name.ext" -out "$tmp/haproxy-$name.crt" >>"$tmp/openssl.log" 2>&1; then
    die "openssl could not make the $name certificate: $(tail -n 5 "$tmp/openssl.log")"
  fi
  cat "$tmp/haproxy-$name.crt" "$tmp/haproxy-$name.key" >"$tmp/haproxy-$name.pem"
}
leaf_cert server "URI:spiffe://$TRUST_DOMAIN/ns/$NAMESPACE/sa/server" "DNS:backend.$NAMESPACE.svc.cluster.local"
leaf_cert client "URI:spiffe://$TRUST_DOMAIN/ns/$NAMESPACE/sa/client"

free_port hs_port
free_port hc_port
render "$bench/conf/haproxy-server.cfg" "$tmp/haproxy-server.cfg" TMP="$tmp" INBOUND_PORT="$hs_port" BACKEND_PORT="$backend_port"
render "$bench/conf/haproxy-client.cfg" "$tmp/haproxy-client.cfg" TMP="$tmp" OUTBOUND_PORT="$hc_port" SERVER_PORT="$hs_port"
for s in server client; do
  haproxy -c -q -f "$tmp/haproxy-$s.cfg" >"$tmp/haproxy-$s.check" 2>&1 || die "haproxy config for the $s is invalid: $(cat "$tmp/haproxy-$s.check")"
  log "starting the $s's HAProxy (pinned to CPU $PROXY_CPU)"
  taskset -c "$PROXY_CPU" haproxy -db -f "$tmp/haproxy-$s.cfg" >"$tmp/haproxy-$s.log" 2>&1 &
  printf -v "h${s:0:1}_pid" '%s' "$!"
  pids+=("$!")
done
haproxy_url="http://127.0.0.1:$hc_port/bench"
wait_ok haproxy-client "$haproxy_url" "$hc_pid" 10
kill -0 "$hs_pid" 2>/dev/null || die "the server's HAProxy exited: $(cat "$tmp/haproxy-server.log")"
check_target haproxy "$haproxy_url"
check_target haproxy-denied "http://127.0.0.1:$hc_port/denied" 403
haproxy_version=$(haproxy -v 2>&1 | awk 'NR == 1 {print $1, $3}') # awk reads it all: no SIGPIPE under pipefail

declare -A url_of=([direct]="$direct_url" [strait]="$strait_url" [haproxy]="$haproxy_url")
declare -A front_of=([direct]="" [strait]="$client_pid" [haproxy]="$hc_pid") # the client side: run_wrk's proxy
declare -A back_of=([direct]="" [strait]="$server_pid" [haproxy]="$hs_pid")  # the server side: run_wrk's aux_pid
declare -A name_of=([direct]="direct (wrk -> backend)" [strait]="Strait sidecar pair" [haproxy]="HAProxy pair")

# ---------------------------------------------------------------- RSS idle

log "idle RSS: $IDLE_REQUESTS requests through each pair, then 2 s of rest"
for t in strait haproxy; do
  for _ in $(seq 1 "$IDLE_REQUESTS"); do curl -fsS -o /dev/null --max-time 5 "${url_of[$t]}" || die "a request through $t failed"; done
done
sleep 2
declare -A IDLE
for p in "$client_pid" "$server_pid" "$hc_pid" "$hs_pid"; do
  for f in VmRSS RssAnon RssFile; do IDLE[$p.$f]=$(proc_kib "$p" "$f"); done
done

# ---------------------------------------------------------------- start to ready

# A sidecar with a fresh join token runs `sh -c 'date +%s%N > FILE'` as its app: the app starts only once
# the sidecar is ready, so launch -> FILE's time is start-to-ready. Pinned to the sidecars' CPU. Twice
# READY_RUNS launches: through bin/strait (which first checks whether the sources changed), and the same
# JVM command line without the launcher (as an install without sources would run it). Each launch waits
# for the CPUs to be idle first, as the measured load runs do (the pair's own JIT work right after its
# start, or another process, would otherwise slow a launch on the same CPU).
mapfile -d '' -t jvm_argv <"/proc/$server_pid/cmdline"
for i in "${!jvm_argv[@]}"; do [ "${jvm_argv[i]}" = sidecar ] && jvm_cut=$((i + 1)) && break; done
[ -n "${jvm_cut:-}" ] || die "cannot find the sidecar's JVM command line in /proc/$server_pid/cmdline"
for i in $(seq 1 $((2 * READY_RUNS))); do join_token ready "$tmp/ready-$i.token"; done
declare -a READY_LAUNCHER READY_JVM
ready_ms=""
ready_run() { # I WAY (launcher|jvm): one launch; sets ready_ms to its start-to-ready in ms
  local i=$1 way=$2 cfg mark t0 pid n app
  cfg="$tmp/sidecar-ready-$i.yaml" mark="$tmp/ready-$i.ns"
  sidecar_config "ready-$i" ready ready 0 0 0 ""
  app="date +%s%N > $mark"
  wait_quiet
  t0=$EPOCHREALTIME
  if [ "$way" = launcher ]; then
    taskset -c "$PROXY_CPU" "$strait" sidecar --config "$cfg" --stop-grace 5 -- sh -c "$app" >"$tmp/sidecar-ready-$i.log" 2>&1 &
  else
    taskset -c "$PROXY_CPU" "${jvm_argv[@]:0:jvm_cut}" --config "$cfg" --stop-grace 5 -- sh -c "$app" >"$tmp/sidecar-ready-$i.log" 2>&1 &
  fi
  pid=$!
  pids+=("$pid")
  for n in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  [ "$n" -lt 600 ] || die "the start-to-ready sidecar $i did not exit within 60 s (log: $tmp/sidecar-ready-$i.log)"
  wait "$pid" || die "the start-to-ready sidecar $i failed: $(tail -n 20 "$tmp/sidecar-ready-$i.log")"
  untrack "$pid"
  [ -s "$mark" ] || die "the start-to-ready sidecar $i never started its app: $(tail -n 20 "$tmp/sidecar-ready-$i.log")"
  ready_ms=$(awk -v a="$t0" -v b="$(cat "$mark")" 'BEGIN {printf "%.0f", (b / 1e9 - a) * 1000}')
}
log "start to ready: $READY_RUNS launches through bin/strait and $READY_RUNS of the JVM alone, alternating"
for i in $(seq 1 "$READY_RUNS"); do
  ready_run "$i" launcher
  READY_LAUNCHER+=("$ready_ms")
  ready_run $((READY_RUNS + i)) jvm
  READY_JVM+=("$ready_ms")
  log "start to ready #$i: bin/strait ${READY_LAUNCHER[-1]} ms, JVM alone ${READY_JVM[-1]} ms"
done
ready_launcher_ms=$(median "${READY_LAUNCHER[@]}")
ready_jvm_ms=$(median "${READY_JVM[@]}")

# ---------------------------------------------------------------- load

non2xx_fatal=true
log "backend :$backend_port, control plane :$cp_api_port, sidecars client :$client_local -> server :$server_inbound ($strait_ready_line), HAProxy :$hc_port -> :$hs_port"

measure_target() { # PHASE ROUND TARGET [RATE]: one measured run of TARGET; with RATE, peak RSS of both sides too
  local t=$3 rate=${4:-} label="$1-$3-$2" hwm_ok=1 p
  aux_pid=${back_of[$t]}
  if [ -n "$rate" ] && [ "$t" != direct ]; then
    for p in "${front_of[$t]}" "${back_of[$t]}"; do reset_peak_rss "$p" || hwm_ok=0; done
  fi
  measure "$label" "${url_of[$t]}" "$duration" "${front_of[$t]}" ${rate:+"$rate"}
  if [ -n "$rate" ] && [ "$t" != direct ]; then
    R[$label.front_hwm]=$(proc_kib "${front_of[$t]}" VmHWM) R[$label.back_hwm]=$(proc_kib "${back_of[$t]}" VmHWM)
    [ "$hwm_ok" = 1 ] || hwm_reset_failed=1
  fi
  aux_pid=""
}
hwm_reset_failed=0

for t in "${TARGETS[@]}"; do
  log "warming up $t: $warmup s at peak, then $warmup s at $RATE_TEXT req/s"
  aux_pid=${back_of[$t]}
  run_wrk "warmup-$t" "${url_of[$t]}" "$warmup" "${front_of[$t]}"
  run_wrk "warmup-paced-$t" "${url_of[$t]}" "$warmup" "${front_of[$t]}" "$MESH_RATE"
  aux_pid=""
done
for r in $(seq 1 "$rounds"); do
  log "round $r of $rounds"
  for t in "${TARGETS[@]}"; do measure_target paced "$r" "$t" "$MESH_RATE"; done
  for t in strait haproxy; do
    R[paced-$t-$r.add_p50_us]=$((${R[paced-$t-$r.p50_us]} - ${R[paced-direct-$r.p50_us]}))
    R[paced-$t-$r.add_p99_us]=$((${R[paced-$t-$r.p99_us]} - ${R[paced-direct-$r.p99_us]}))
  done
  for t in "${TARGETS[@]}"; do measure_target peak "$r" "$t"; done
done
load_after=$(uptime | sed 's/^ *//')
log "load after: $load_after"
strait_warnings=$(grep -hE ' (WARN|ERROR) ' "$tmp/sidecar-client.log" "$tmp/sidecar-server.log" | head -n 20 || true)
access_lines=$(grep -c '"requestId"' "$tmp/sidecar-client.log" || true)

# ---------------------------------------------------------------- results

maxv() { printf '%s\n' "$@" | sort -g | tail -n1; }
max_round() { # PHASE TARGET KEY: the largest KEY over all rounds (disturbed or not)
  local r vals=()
  for r in $(seq 1 "$rounds"); do vals+=("${R[$1-$2-$r.$3]}"); done
  maxv "${vals[@]}"
}
cores() { awk -v u="$1" 'BEGIN {printf "%.3f", u / 1000}'; } # CPU µs per request -> cores per 1,000 req/s
msd() { awk -v u="$1" 'BEGIN {printf "%+.2f", u / 1000}'; }  # µs -> signed ms

declare -A S # summary per pair: S[t.key]
for t in strait haproxy; do
  S[$t.add_p50]=$(med "$t" paced add_p50_us) S[$t.add_p99]=$(med "$t" paced add_p99_us)
  S[$t.front_cores]=$(cores "$(med "$t" paced cpu_us)") S[$t.back_cores]=$(cores "$(med "$t" paced aux_cpu_us)")
  S[$t.front_idle]=$(mib "${IDLE[${front_of[$t]}.VmRSS]}") S[$t.back_idle]=$(mib "${IDLE[${back_of[$t]}.VmRSS]}")
  S[$t.front_load]=$(mib "$(max_round paced "$t" front_hwm)") S[$t.back_load]=$(mib "$(max_round paced "$t" back_hwm)")
  S[$t.held]=$(awk -v a="$(med "$t" paced rps)" -v r="$MESH_RATE" -v m="$MIN_ACHIEVED_SHARE" 'BEGIN {print (a >= m * r) ? 1 : 0}')
done
ready_launcher_s=$(awk -v m="$ready_launcher_ms" 'BEGIN {printf "%.2f", m / 1000}')
ready_jvm_s=$(awk -v m="$ready_jvm_ms" 'BEGIN {printf "%.2f", m / 1000}')
rss_note="peak RSS (VmHWM, reset before each 1,000 req/s run and read after it; the largest of the rounds)"
[ "$hwm_reset_failed" = 0 ] || rss_note="peak RSS since start (VmHWM; /proc/PID/clear_refs could not reset it, so this includes start-up and anything before)"

bench_env
results_dir="$bench/results"
if [ -z "$out" ]; then mkdir -p "$results_dir"; out="$results_dir/mesh-$(date +%Y%m%d-%H%M%S).md"; fi

report() {
  local t held_s
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on commit $git_rev with \`$command_line\`"
  echo "($RATE_TEXT req/s over $paced_connections connections and peak at $connections connections, ${duration} s per run after"
  echo "${warmup} s of warm-up per target at each, $rounds round(s) of direct / sidecar pair / HAProxy pair in turn, medians shown)."
  echo
  echo "- Machine: $(nproc --all) CPUs ($cpu_model), $(uname -sr); $nginx_version (backend), $haproxy_version, $wrk_version, $java_version."
  echo "- Sidecar JVM: \`${sidecar_opts}\` ($aot_note); $strait_ready_line."
  echo "- Layout: CPU $CLIENT_CPU runs wrk, the backend and the control plane; CPU $PROXY_CPU runs both proxies of the pair under test (the other pair idles there)."
  echo "- The ALLOW policy was in force: GET /denied through the sidecar pair answered 403 rbac_denied (and the HAProxy pair's ACL 403) before measuring."
  echo "- Load average before: \`$load_before\`"
  echo "- Load average after: \`$load_after\`"
  echo
  echo "At $RATE_TEXT req/s (paced by bench/wrk/bench.lua; added = the pair's minus the direct call's, round by round):"
  echo
  echo "| target | achieved req/s | p50 | p99 | p99.9 | max | p50 added | p99 added | CPU client side / server side | other + steal |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for t in "${TARGETS[@]}"; do
    local add50="-" add99="-" cpu="-"
    if [ "$t" != direct ]; then
      add50="$(msd "${S[$t.add_p50]}") ms" add99="$(msd "${S[$t.add_p99]}") ms"
      cpu="$(medi "$t" paced proxy_cpu)% / $(medi "$t" paced aux_cpu)%"
    fi
    printf '| %s | %.0f | %s ms | %s ms | %s ms | %s ms | %s | %s | %s | %s%% |\n' "${name_of[$t]}" "$(med "$t" paced rps)" \
      "$(fmt_ms "$(med "$t" paced p50_us)")" "$(fmt_ms "$(med "$t" paced p99_us)")" "$(fmt_ms "$(med "$t" paced p999_us)")" \
      "$(fmt_ms "$(med "$t" paced max_us)")" "$add50" "$add99" "$cpu" "$(medi "$t" paced other_cpu)"
  done
  echo
  echo "Peak (wrk -t1 -c$connections; the pair's two proxies share CPU $PROXY_CPU):"
  echo
  echo "| target | req/s | p50 | p99 | CPU client side / server side | CPU per request, client / server side | other + steal |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for t in "${TARGETS[@]}"; do
    local cpu="-" cpr="-"
    if [ "$t" != direct ]; then
      cpu="$(medi "$t" peak proxy_cpu)% / $(medi "$t" peak aux_cpu)%" cpr="$(med "$t" peak cpu_us) / $(med "$t" peak aux_cpu_us) µs"
    fi
    printf '| %s | %.0f | %s ms | %s ms | %s | %s | %s%% |\n' "${name_of[$t]}" "$(med "$t" peak rps)" \
      "$(fmt_ms "$(med "$t" peak p50_us)")" "$(fmt_ms "$(med "$t" peak p99_us)")" "$cpu" "$cpr" "$(medi "$t" peak other_cpu)"
  done
  echo
  echo "Memory (MiB): idle is VmRSS after $IDLE_REQUESTS requests and 2 s of rest (anonymous + file-backed); at $RATE_TEXT req/s, $rss_note."
  echo
  echo "| process | idle RSS | idle anon + file | RSS at $RATE_TEXT req/s |"
  echo "|---|---:|---:|---:|"
  for t in strait haproxy; do
    local side pid
    for side in front back; do
      pid=${front_of[$t]}
      [ "$side" = front ] || pid=${back_of[$t]}
      printf '| %s, %s side | %s | %s + %s | %s |\n' "${name_of[$t]}" "$([ "$side" = front ] && echo client || echo server)" \
        "${S[$t.${side}_idle]}" "$(mib "${IDLE[$pid.RssAnon]}")" "$(mib "${IDLE[$pid.RssFile]}")" "${S[$t.${side}_load]}"
    done
  done
  echo
  echo "Start to ready (a sidecar with a fresh join token, pinned to CPU $PROXY_CPU, from launch to its app's start; median of $READY_RUNS):"
  echo "through bin/strait **${ready_launcher_ms} ms** (${READY_LAUNCHER[*]}), the same JVM command without the launcher ${ready_jvm_ms} ms (${READY_JVM[*]})."
  echo
  held_s=""
  [ "${S[strait.held]}" = 1 ] || held_s=", rate not held"
  echo "| requirement | target | Strait sidecar pair | HAProxy pair (reference) | result |"
  echo "|---|---|---|---|---|"
  echo "| p50 added at $RATE_TEXT req/s | <= ${TARGET_P50_ADDED_MS} ms | $(msd "${S[strait.add_p50]}") ms$held_s | $(msd "${S[haproxy.add_p50]}") ms | $(verdict "${S[strait.held]} == 1 && ${S[strait.add_p50]} / 1000 <= $TARGET_P50_ADDED_MS") |"
  echo "| p99 added at $RATE_TEXT req/s | <= ${TARGET_P99_ADDED_MS} ms | $(msd "${S[strait.add_p99]}") ms$held_s | $(msd "${S[haproxy.add_p99]}") ms | $(verdict "${S[strait.held]} == 1 && ${S[strait.add_p99]} / 1000 <= $TARGET_P99_ADDED_MS") |"
  echo "| CPU per 1,000 req/s, client side | <= ${TARGET_CORES_PER_1K} cores | ${S[strait.front_cores]} | ${S[haproxy.front_cores]} | $(verdict "${S[strait.front_cores]} <= $TARGET_CORES_PER_1K") |"
  echo "| CPU per 1,000 req/s, server side | <= ${TARGET_CORES_PER_1K} cores | ${S[strait.back_cores]} | ${S[haproxy.back_cores]} | $(verdict "${S[strait.back_cores]} <= $TARGET_CORES_PER_1K") |"
  echo "| RSS idle, client / server side | <= ${TARGET_RSS_IDLE_MIB} MiB | ${S[strait.front_idle]} / ${S[strait.back_idle]} MiB | ${S[haproxy.front_idle]} / ${S[haproxy.back_idle]} MiB | $(verdict "${S[strait.front_idle]} <= $TARGET_RSS_IDLE_MIB && ${S[strait.back_idle]} <= $TARGET_RSS_IDLE_MIB") |"
  echo "| RSS at $RATE_TEXT req/s, client / server side | <= ${TARGET_RSS_LOAD_MIB} MiB | ${S[strait.front_load]} / ${S[strait.back_load]} MiB | ${S[haproxy.front_load]} / ${S[haproxy.back_load]} MiB | $(verdict "${S[strait.front_load]} <= $TARGET_RSS_LOAD_MIB && ${S[strait.back_load]} <= $TARGET_RSS_LOAD_MIB") |"
  echo "| start to ready (bin/strait) | <= ${TARGET_READY_S} s | ${ready_launcher_s} s (JVM alone ${ready_jvm_s} s) | - | $(verdict "$ready_launcher_s <= $TARGET_READY_S") |"
  echo "| peak req/s through the pair | (no target) | $(printf '%.0f' "$(med strait peak rps)") | $(printf '%.0f' "$(med haproxy peak rps)") | - |"
  if [ "$rounds" -gt 1 ]; then
    local r line
    echo
    echo "Every round (p50 / p99 added at $RATE_TEXT req/s, then peak req/s; * = disturbed, left out of the medians):"
    echo
    for t in strait haproxy; do
      line="- ${name_of[$t]}:"
      for r in $(seq 1 "$rounds"); do
        local mark=""
        [ -z "${R[paced-$t-$r.disturbed]:-}${R[paced-direct-$r.disturbed]:-}" ] || mark="*"
        line+=" $(msd "${R[paced-$t-$r.add_p50_us]}")/$(msd "${R[paced-$t-$r.add_p99_us]}") ms$mark"
        line+=" $(printf '%.0f' "${R[peak-$t-$r.rps]}")${R[peak-$t-$r.disturbed]:+*};"
      done
      echo "${line%;}"
    done
  fi
  echo
  echo "Both sidecars wrote their JSON access log to a file (on in a sidecar; $access_lines lines from the client's), as both HAProxy processes wrote their HTTP log."
  echo
  report_footer "kind" "wrk reported errors (no response >= 400, which would have stopped the harness):"
}

report | tee "$out"
echo
log "results written to $out"
