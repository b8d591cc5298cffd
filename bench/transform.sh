#!/usr/bin/env bash
# bench/transform.sh: what the transform filter costs Strait. One Strait with four routes to the same nginx
# backend: /plain (no filter) and /headers (a header-only transform: request and response header changes
# with variables) answer a small text body; /json-plain (no filter) and /json (a response body transform:
# four JSON pointer edits) answer a 4 KiB JSON document. wrk drives each path at peak, in interleaved
# rounds after a warm-up of each; the report gives req/s, p50/p99 and Strait's CPU per request, and the
# issue's targets: /headers >= 0.97x /plain, /json >= 0.85x /json-plain. Then paired runs (lib.sh's
# run_pair): a second Strait with the same config, both loaded at once on their shared CPU, one on the
# plain path and the other on the transformed one, then swapped; the ratio of their CPU per request is the
# steady measure on this VM (req/s at peak on one core is its inverse). See docs/benchmarks.md.
#
# Layout (2 cores), as in bench/run.sh: CPU 0 runs wrk and the backend, CPU 1 runs Strait.
#
# Exit status: 0 when the measurement completed, whether or not the targets were met; 2 when the harness
# itself failed (missing tools, a process that would not start, a transform not applied, error responses
# under load, unparseable wrk output); 3 when Strait died.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { bench_usage transform path; }

# The issue's targets: a header transform costs at most 3% of plain proxying's req/s; a 4 KiB JSON
# response body transform at most 15% of proxying the same body unchanged.
TARGET_HEADERS_VS_PLAIN=0.97
TARGET_JSON_VS_PLAIN=0.85
# The JSON document's size: the issue's 4 KiB.
JSON_BYTES=4096
PATHS=(plain headers json-plain json)

parse_bench_args transform.sh false "$@"
bench_start
build_strait

# ---------------------------------------------------------------- the JSON document

# A user with a list of items, padded to JSON_BYTES with a string member: what an API's GET returns.
make_doc() {
  local head='{"userName":"bench","status":"new","internal":{"shard":7,"trace":"x"},"items":[' items="" item i=0 pad
  # ',"pad":"' and '"}' frame the padding: 10 bytes
  while :; do
    item=$(printf '{"id":%d,"name":"item-%04d","price":%d.50,"tags":["red","blue"],"stock":%d}' "$i" "$i" $((i % 90 + 10)) $((i * 7 % 100)))
    [ $((${#head} + ${#items} + 1 + ${#item} + 1 + 10)) -le $JSON_BYTES ] || break
    items+="${items:+,}$item"
    i=$((i + 1))
  done
  pad=$((JSON_BYTES - ${#head} - ${#items} - 1 - 10))
  printf '%s%s],"pad":"%s"}' "$head" "$items" "$(head -c "$pad" /dev/zero | tr '\0' 'p')"
}
make_doc >"$tmp/doc.json"
# nginx's worker may run as another user (nobody, when started as root): it may pass through the temp
# directory (not list it) and read the document.
chmod o+x "$tmp"
chmod o+r "$tmp/doc.json"
[ "$(stat -c %s "$tmp/doc.json")" -eq "$JSON_BYTES" ] || die "the JSON document is $(stat -c %s "$tmp/doc.json") bytes, not $JSON_BYTES"

# ---------------------------------------------------------------- start everything

load_before=$(uptime | sed 's/^ *//')
log "load before: $load_before"

free_port backend_port
free_port strait_port
free_port admin_port
render "$bench/conf/backend-transform.nginx.conf" "$tmp/backend.conf" TMP="$tmp" BACKEND_PORT="$backend_port" BODY="$BODY"
start_nginx backend "$CLIENT_CPU" "$tmp/backend.conf"
backend_worker=$(nginx_worker "$backend_pid")
wait_ok backend "http://127.0.0.1:$backend_port/" "$backend_pid" 10

render "$bench/conf/strait-transform.yaml" "$tmp/strait.yaml" BACKEND_PORT="$backend_port" \
  STRAIT_PORT="$strait_port" ADMIN_PORT="$admin_port"
log "starting Strait (pinned to CPU $PROXY_CPU)"
taskset -c "$PROXY_CPU" "$root/bin/strait" gateway --config "$tmp/strait.yaml" >"$tmp/strait.log" 2>&1 &
strait_pid=$!
pids+=("$strait_pid")
wait_ok strait "http://127.0.0.1:$admin_port/ready" "$strait_pid" 120
[ "$(ps -o comm= -p "$strait_pid")" = java ] || die "pid $strait_pid is not a Strait JVM"
url() { echo "http://127.0.0.1:$strait_port/$1"; }
# The second Strait of the paired runs: the same config on other ports.
free_port strait2_port
free_port admin2_port
render "$bench/conf/strait-transform.yaml" "$tmp/strait2.yaml" BACKEND_PORT="$backend_port" \
  STRAIT_PORT="$strait2_port" ADMIN_PORT="$admin2_port"
taskset -c "$PROXY_CPU" "$root/bin/strait" gateway --config "$tmp/strait2.yaml" >"$tmp/strait2.log" 2>&1 &
strait2_pid=$!
pids+=("$strait2_pid")
wait_ok strait2 "http://127.0.0.1:$admin2_port/ready" "$strait2_pid" 120
url2() { echo "http://127.0.0.1:$strait2_port/$1"; }

# Before any load: each path answers what it should, so no run measures the wrong thing.
check_target plain "$(url plain)"
check_target headers "$(url headers)"
grep -qi '^x-served-by: headers' "$tmp/check-headers.headers" || die "/headers' response has no X-Served-By: the transform did not run"
curl -fsS -o "$tmp/json-plain.body" "$(url json-plain)" || die "GET /json-plain failed"
cmp -s "$tmp/json-plain.body" "$tmp/doc.json" || die "/json-plain did not return the backend's document unchanged"
curl -fsS -D "$tmp/json.headers" -o "$tmp/json.body" "$(url json)" || die "GET /json failed"
if ! grep -q '"username":"bench"' "$tmp/json.body" || ! grep -q '"route":"json"' "$tmp/json.body" || grep -q '"internal"' "$tmp/json.body"; then
  die "/json's body was not transformed: $(head -c 200 "$tmp/json.body")"
fi
json_bytes=$(stat -c %s "$tmp/json.body")
grep -qi "^content-length: $json_bytes" "$tmp/json.headers" || die "/json's Content-Length is not its length ($json_bytes)"
log "checked: /headers and /json are transformed (/json: $JSON_BYTES bytes in, $json_bytes out), /json-plain is not"
aux_pid=""

non2xx_fatal=true
wrk_opts=(-H "X-Old: o" -H "X-Debug: 1")

# ---------------------------------------------------------------- peak throughput

for t in "${PATHS[@]}"; do
  log "warming up /$t for $warmup s"
  run_wrk "warmup-$t" "$(url "$t")" "$warmup" "$strait_pid"
done
for r in $(seq 1 "$rounds"); do
  for t in "${PATHS[@]}"; do
    measure "peak-$t-$r" "$(url "$t")" "$duration" "$strait_pid"
  done
done
# Paired runs: the transformed path on one process and its plain path on the other, loaded at once, then
# swapped (so neither process's own speed counts); "cost" = CPU per request of the transformed path over
# the plain one's, and its inverse the req/s ratio at peak on one core.
for t in "${PATHS[@]}"; do run_wrk "warmup2-$t" "$(url2 "$t")" "$warmup" "$strait2_pid"; done
pair_rounds=$((rounds * 2))
declare -A PAIR_COST
for r in $(seq 1 "$pair_rounds"); do
  for t in headers json; do
    plain=plain
    [ "$t" = json ] && plain=json-plain
    wait_quiet
    if [ $((r % 2)) -eq 1 ]; then
      run_pair "pair-$t-$r" "$duration" "$(url "$plain")" "$strait_pid" "$(url2 "$t")" "$strait2_pid"
      PAIR_COST[$t-$r]=${R[pair-$t-$r.cpu_ratio]}
    else
      run_pair "pair-$t-$r" "$duration" "$(url "$t")" "$strait_pid" "$(url2 "$plain")" "$strait2_pid"
      PAIR_COST[$t-$r]=$(awk -v x="${R[pair-$t-$r.cpu_ratio]}" 'BEGIN {printf "%.3f", 1 / x}')
    fi
  done
done
pair_cost() { local r v=(); for r in $(seq 1 "$pair_rounds"); do v+=("${PAIR_COST[$1-$r]}"); done; printf '%.3f' "$(median "${v[@]}")"; }
pair_list() { local r line=""; for r in $(seq 1 "$pair_rounds"); do line+=" ${PAIR_COST[$1-$r]}"; done; echo "${line# }"; }
headers_pair=$(pair_cost headers)
json_pair=$(pair_cost json)
headers_pair_rps=$(awk -v c="$headers_pair" 'BEGIN {printf "%.2f", 1 / c}')
json_pair_rps=$(awk -v c="$json_pair" 'BEGIN {printf "%.2f", 1 / c}')

load_after=$(uptime | sed 's/^ *//')
log "load after: $load_after"
strait_warnings=$(grep -hE ' (WARN|ERROR) ' "$tmp"/strait.log | head -n 20 || true)

# ---------------------------------------------------------------- report

headers_ratio=$(ratio "$(med headers peak rps)" "$(med plain peak rps)")
json_ratio=$(ratio "$(med json peak rps)" "$(med json-plain peak rps)")
declare -A base_of=([plain]=plain [headers]=plain [json-plain]=json-plain [json]=json-plain)
declare -A what_of=([plain]="none (text body)" [headers]="header transform" [json-plain]="none (4 KiB JSON)" [json]="4 KiB JSON body transform")

bench_env
results_dir="$bench/results"
if [ -z "$out" ]; then mkdir -p "$results_dir"; out="$results_dir/transform-$(date +%Y%m%d-%H%M%S).md"; fi

report() {
  local t
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on commit $git_rev with \`$command_line\`"
  echo "($connections connections, ${duration} s per run after ${warmup} s of warm-up per path, $rounds round(s), medians shown)."
  echo
  echo "- Machine: $(nproc --all) CPUs ($cpu_model), $(uname -sr); $nginx_version (backend), $wrk_version, $java_version."
  echo "- Strait JVM options: \`${STRAIT_JAVA_OPTS:-bin/strait defaults}\`."
  echo "- Load average before: \`$load_before\`"
  echo "- Load average after: \`$load_after\`"
  echo
  echo "Peak throughput (wrk -t1 -c$connections and the backend on CPU $CLIENT_CPU; Strait on CPU $PROXY_CPU):"
  echo
  echo "| path | transform | req/s | p50 | p99 | vs its base | Strait CPU per request | CPU: Strait / backend / wrk | other + steal |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for t in "${PATHS[@]}"; do
    printf '| /%s | %s | %.0f | %s ms | %s ms | %sx /%s | %s µs | %s%% / %s%% / %s%% | %s%% |\n' "$t" "${what_of[$t]}" \
      "$(med "$t" peak rps)" "$(fmt_ms "$(med "$t" peak p50_us)")" "$(fmt_ms "$(med "$t" peak p99_us)")" \
      "$(ratio "$(med "$t" peak rps)" "$(med "${base_of[$t]}" peak rps)")" "${base_of[$t]}" "$(med "$t" peak cpu_us)" \
      "$(medi "$t" peak proxy_cpu)" "$(medi "$t" peak backend_cpu)" "$(medi "$t" peak wrk_cpu)" "$(medi "$t" peak other_cpu)"
  done
  echo
  echo "| requirement | goal | measured | result |"
  echo "|---|---|---|---|"
  echo "| header transform | /headers >= ${TARGET_HEADERS_VS_PLAIN}x /plain req/s | ${headers_ratio}x | $(verdict "$headers_ratio >= $TARGET_HEADERS_VS_PLAIN") |"
  echo "| 4 KiB JSON response body transform | /json >= ${TARGET_JSON_VS_PLAIN}x /json-plain req/s | ${json_ratio}x | $(verdict "$json_ratio >= $TARGET_JSON_VS_PLAIN") |"
  echo "| header transform, paired (median of $pair_rounds; CPU per request /headers over /plain: ${headers_pair}) | the inverse >= ${TARGET_HEADERS_VS_PLAIN}x | ${headers_pair_rps}x | $(verdict "$headers_pair_rps >= $TARGET_HEADERS_VS_PLAIN") |"
  echo "| 4 KiB JSON response body transform, paired (median of $pair_rounds; CPU per request /json over /json-plain: ${json_pair}) | the inverse >= ${TARGET_JSON_VS_PLAIN}x | ${json_pair_rps}x | $(verdict "$json_pair_rps >= $TARGET_JSON_VS_PLAIN") |"
  if [ "$rounds" -gt 1 ]; then
    every_round "/" "${PATHS[@]}"
    round_ratios "/headers / /plain req/s" headers plain
    round_ratios "/json / /json-plain req/s" json json-plain
  fi
  echo "- paired runs, CPU per request /headers over /plain: $(pair_list headers)"
  echo "- paired runs, CPU per request /json over /json-plain: $(pair_list json)"
  echo
  report_footer "path" "wrk reported errors (no response >= 400, which would have stopped the harness):" \
    "Before the runs, /headers carried its response header and /json its changed body ($JSON_BYTES bytes in, $json_bytes out, Content-Length set); /json-plain returned the document unchanged."
}

report | tee "$out"
echo
log "results written to $out"
