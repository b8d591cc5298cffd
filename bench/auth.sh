#!/usr/bin/env bash
# bench/auth.sh: what authentication costs Strait. One Strait process with three routes to the same
# nginx backend: /plain (no auth), /jwt (a bearer JWT, verified once and then served from the
# verified-token cache) and /key (an API key in the file store). wrk drives each path at peak, in
# interleaved rounds after a warm-up of each; the report gives req/s, p50/p99 and Strait's CPU per
# request for each path, and jwt/plain and key/plain against the 0.90 target. See
# docs/benchmarks.md ("Authentication cost").
#
# Layout (2 cores), as in bench/run.sh: CPU 0 runs wrk and the backend, CPU 1 runs Strait.
#
# Exit status: 0 when the measurement completed, whether or not the targets were met; 2 when the
# harness itself failed (missing tools, a process that would not start, a credential not accepted
# or not required, error responses under load, unparseable wrk output); 3 when Strait died.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { bench_usage auth path; }

# The requirement: with a cached token, authentication costs at most 10% of plain proxying's req/s.
TARGET_AUTH_RATIO=0.90
# The token's claims and the provider's expectations (bench/conf/strait-auth.yaml).
ISSUER="https://issuer.strait-bench.invalid/"
AUDIENCE=strait-bench
SUBJECT=bench-user
TENANT=bench
# The paths, in the order of every round.
PATHS=(plain jwt key)
# The token generator: a class of strait-bench (built and tested with it), run here from its source
# against the CLI's jar, which has nimbus. The source launcher compiles it in memory: no Maven run
# and no build output (JMH's generated sources would make bin/strait think its jar is stale).
fixtures_src="$root/strait-bench/src/main/java/io/strait/bench/AuthFixtures.java"
cli_jar="$root/strait-cli/target/strait-cli-0.1.0-SNAPSHOT-all.jar"

parse_bench_args auth.sh false "$@"

bench_start
build_strait

# ---------------------------------------------------------------- credentials

log "making the credentials: an ES256 key, its JWKS and a token; an API key in a file store"
"$JAVA_HOME/bin/java" -cp "$cli_jar" "$fixtures_src" "$tmp/jwks.json" "$ISSUER" "$AUDIENCE" "$SUBJECT" \
  >"$tmp/token" 2>"$tmp/fixtures.log" || die "AuthFixtures failed: $(cat "$tmp/fixtures.log")"
token=$(cat "$tmp/token")
[[ $token =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]] || die "AuthFixtures printed no JWT: $(head -c 200 "$tmp/token")"
"$root/bin/strait" apikey create --tenant "$TENANT" --file "$tmp/apikeys.json" >"$tmp/apikey.out" 2>&1 ||
  die "bin/strait apikey create failed: $(cat "$tmp/apikey.out")"
# The key is printed alone on its line, indented: "  strait_...".
api_key=$(awk '$1 ~ /^strait_/ && NF == 1 {print $1; exit}' "$tmp/apikey.out")
[ -n "$api_key" ] || die "no key in the output of bin/strait apikey create: $(cat "$tmp/apikey.out")"

# ---------------------------------------------------------------- start everything

load_before=$(uptime | sed 's/^ *//')
log "load before: $load_before"

free_port backend_port
free_port strait_port
free_port admin_port

render "$bench/conf/backend.nginx.conf" "$tmp/backend.conf" TMP="$tmp" BACKEND_PORT="$backend_port" BODY="$BODY"
render "$bench/conf/strait-auth.yaml" "$tmp/strait.yaml" BACKEND_PORT="$backend_port" STRAIT_PORT="$strait_port" \
  ADMIN_PORT="$admin_port" ISSUER="$ISSUER" AUDIENCE="$AUDIENCE" JWKS_FILE="$tmp/jwks.json" APIKEYS_FILE="$tmp/apikeys.json"

start_nginx backend "$CLIENT_CPU" "$tmp/backend.conf"
backend_worker=$(nginx_worker "$backend_pid")

log "starting Strait (pinned to CPU $PROXY_CPU)"
taskset -c "$PROXY_CPU" "$root/bin/strait" gateway --config "$tmp/strait.yaml" >"$tmp/strait.log" 2>&1 &
strait_pid=$!
pids+=("$strait_pid")

base="http://127.0.0.1:$strait_port"
declare -A url_of=([plain]="$base/plain" [jwt]="$base/jwt" [key]="$base/key")
declare -A header_of=([plain]="" [jwt]="Authorization: Bearer $token" [key]="X-API-Key: $api_key")
declare -A auth_of=([plain]="none" [jwt]="jwt:bench (ES256 token, cached)" [key]="apiKey (file store)")

wait_ok backend "http://127.0.0.1:$backend_port/" "$backend_pid" 10
wait_ok strait "http://127.0.0.1:$admin_port/ready" "$strait_pid" 120
[ "$(ps -o comm= -p "$strait_pid")" = java ] || die "pid $strait_pid is not the Strait JVM"
# Before any load: each authenticated path refuses a request without its credential and accepts one
# with it (which also puts the token in the verified-token cache), so no run can measure 401s.
check_target plain "${url_of[plain]}"
check_target jwt-none "${url_of[jwt]}" 401
sig=${token##*.}
bad_sig=$([ "${sig:0:1}" = A ] && echo B || echo A)${sig:1} # a signature that differs in its first bits
check_target jwt-bad "${url_of[jwt]}" 401 "Authorization: Bearer ${token%.*}.$bad_sig"
check_target jwt "${url_of[jwt]}" 200 "${header_of[jwt]}"
check_target key-none "${url_of[key]}" 401
check_target key-bad "${url_of[key]}" 401 "X-API-Key: ${api_key}x"
check_target key "${url_of[key]}" 200 "${header_of[key]}"
log "checked: /jwt and /key answer 401 without a valid credential and 200 with it"
strait_ready=$(grep -o 'strait ready ([^)]*)' "$tmp/strait.log" | head -n1 || true)
log "backend :$backend_port (pid $backend_pid), Strait :$strait_port (pid $strait_pid; $strait_ready)"

# Any response >= 400 under load stops the harness: the numbers would measure refusals.
non2xx_fatal=true
use_path() { # PATH: the wrk options for that path (its credential header)
  wrk_opts=()
  [ -z "${header_of[$1]}" ] || wrk_opts=(-H "${header_of[$1]}")
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
wrk_opts=()
load_after=$(uptime | sed 's/^ *//')
log "load after: $load_after"

# Strait's own complaints during the run (its stderr), verbatim.
strait_warnings=$(grep -E ' (WARN|ERROR) ' "$tmp/strait.log" | head -n 20 || true)

# ---------------------------------------------------------------- report

plain_rps=$(med plain peak rps)
jwt_ratio=$(ratio "$(med jwt peak rps)" "$plain_rps")
key_ratio=$(ratio "$(med key peak rps)" "$plain_rps")
pass_jwt=$(verdict "$jwt_ratio >= $TARGET_AUTH_RATIO")
pass_key=$(verdict "$key_ratio >= $TARGET_AUTH_RATIO")
added_us() { awk -v a="$(med "$1" peak cpu_us)" -v b="$(med plain peak cpu_us)" 'BEGIN {printf "%+.1f", a - b}'; }

bench_env
results_dir="$bench/results"
if [ -z "$out" ]; then mkdir -p "$results_dir"; out="$results_dir/auth-$(date +%Y%m%d-%H%M%S).md"; fi

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
  echo "| path | auth | req/s | p50 | p99 | vs /plain | Strait CPU per request | CPU: Strait / backend / wrk | other + steal |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for t in "${PATHS[@]}"; do
    printf '| /%s | %s | %.0f | %s ms | %s ms | %sx | %s µs | %s%% / %s%% / %s%% | %s%% |\n' "$t" "${auth_of[$t]}" \
      "$(med "$t" peak rps)" "$(fmt_ms "$(med "$t" peak p50_us)")" "$(fmt_ms "$(med "$t" peak p99_us)")" \
      "$(ratio "$(med "$t" peak rps)" "$plain_rps")" "$(med "$t" peak cpu_us)" "$(medi "$t" peak proxy_cpu)" \
      "$(medi "$t" peak backend_cpu)" "$(medi "$t" peak wrk_cpu)" "$(medi "$t" peak other_cpu)"
  done
  echo
  echo "Strait CPU per request added by authentication: JWT $(added_us jwt) µs, API key $(added_us key) µs (over /plain's $(med plain peak cpu_us) µs);" \
    "/plain over /jwt $(ratio "$(med plain peak cpu_us)" "$(med jwt peak cpu_us)")x, over /key $(ratio "$(med plain peak cpu_us)" "$(med key peak cpu_us)")x:" \
    "the req/s ratios if Strait's CPU were the only limit."
  echo
  echo "| requirement | goal | measured | result |"
  echo "|---|---|---|---|"
  echo "| JWT, cached token | /jwt >= ${TARGET_AUTH_RATIO}x /plain req/s | ${jwt_ratio}x | $pass_jwt |"
  echo "| API key (file store) | /key >= ${TARGET_AUTH_RATIO}x /plain req/s | ${key_ratio}x | $pass_key |"
  if [ "$rounds" -gt 1 ]; then
    every_round "/" "${PATHS[@]}"
    for t in jwt key; do round_ratios "/$t / /plain req/s" "$t" plain; done
    local r line="- Strait CPU per request (/plain, /jwt, /key), round by round:"
    for r in $(seq 1 "$rounds"); do line+=" ${R[peak-plain-$r.cpu_us]}/${R[peak-jwt-$r.cpu_us]}/${R[peak-key-$r.cpu_us]} µs"; done
    echo "$line"
  fi
  echo
  report_footer "path" "wrk reported errors (no response >= 400, which would have stopped the harness):" \
    "Before the runs, /jwt and /key answered 401 without a valid credential and 200 with it."
}

report | tee "$out"
echo
log "results written to $out"
