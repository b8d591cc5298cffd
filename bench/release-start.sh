#!/usr/bin/env bash
# The release's gateway start: from the launcher's exec to the admin's /ready answering 200, with the AOT cache the
# tarball carries and without it. Needs the tarball (bin/release), a backend-free config (any), curl, hyperfine.
#   bench/release-start.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh" # free_port
runs=${1:-10}
tarball=$(find "$root/dist" -name "strait-*-linux-x86_64.tar.gz" | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
home=$(echo "$work"/strait-*)
admin="" port=""
free_port admin
free_port port
cat >"$work/gateway.yaml" <<YAML
admin: {address: 127.0.0.1:$admin}
listeners: [{name: public, address: 127.0.0.1:$port}]
clusters: {app: {endpoints: [{address: 127.0.0.1:9}]}}
routes: [{name: app, match: {pathPrefix: /}, cluster: app}]
YAML
cat >"$work/start-once.sh" <<'SH'
#!/usr/bin/env bash
# one start: launch, wait for /ready, then SIGKILL (so that the drain on SIGTERM does not count)
"$1/bin/strait" gateway --config "$2" >/dev/null 2>&1 &
pid=$!
until curl -fs -o /dev/null "http://127.0.0.1:$3/ready"; do
  kill -0 "$pid" 2>/dev/null || { echo "the gateway exited" >&2; exit 1; }
  sleep 0.01
done
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
SH
chmod +x "$work/start-once.sh"
hyperfine --warmup 1 --runs "$runs" -N \
    -n "with the AOT cache" "env -i PATH=/usr/bin:/bin $work/start-once.sh $home $work/gateway.yaml $admin" \
    -n "without it" "env -i PATH=/usr/bin:/bin STRAIT_JAVA_OPTS_APPEND=-XX:AOTMode=off $work/start-once.sh $home $work/gateway.yaml $admin"
