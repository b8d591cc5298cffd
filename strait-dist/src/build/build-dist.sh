#!/usr/bin/env bash
# Builds the release tarball: dist/strait-<version>-linux-x86_64.tar.gz, unpacking to strait-<version>/ with
#   bin/strait        the launcher (POSIX sh): the runtime below, the role's JVM options, the AOT cache
#   runtime/          a Java runtime made by jlink with the modules the jar needs
#   lib/strait.jar    strait-cli's shaded jar
#   lib/native/       Netty's native libraries (epoll, io_uring, BoringSSL), extracted from the jar
#   lib/strait.aot    a JDK AOT cache recorded by a gateway proxying requests to a local backend
#   lib/strait-sidecar.aot  the sidecar's, recorded by a sidecar calling itself through the mesh
#   conf/gateway.yaml a sample configuration
# Run by strait-dist's pom in the package phase (and so by bin/release):
#   build-dist.sh VERSION SHADED_JAR JDK_HOME WORK_DIR DIST_DIR
set -euo pipefail
version=$1 jar=$2 jdk=$3 work=$4 dist=$5
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name="strait-$version"
stage="$work/$name"
tarball="$dist/$name-linux-x86_64.tar.gz"
started=$SECONDS
jdk_version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release" 2>/dev/null || true)
if [ "${jdk_version:-0}" -lt 25 ]; then
  echo "strait-dist: $jdk is not a JDK 25 or newer (its AOT cache and jlink make the release): build with JAVA_HOME set to one, or -Dstrait.dist.skip" >&2
  exit 1
fi
say() { printf 'strait-dist: %s (%ss)\n' "$*" $((SECONDS - started)); }

# The JDK modules the runtime holds. `jdeps --print-module-deps` on the shaded jar names java.base, java.naming,
# java.net.http, java.sql, jdk.httpserver, jdk.jfr, jdk.unsupported and java.desktop. java.desktop (23 MB of the
# runtime) is left out: only Jackson's optional java.beans annotations support and SnakeYAML's JavaBean
# introspector (which Jackson's YAML parser does not use) refer to it, and Jackson looks for it and goes on without.
# Added, because the jar reaches them only by reflection or service loading, which jdeps cannot see:
# jdk.management (the process's CPU and memory for the JVM metrics), jdk.management.agent (remote JMX, when an
# operator turns it on), jdk.naming.dns (Netty's resolver reads the system's DNS servers through JNDI),
# jdk.crypto.ec (kept for names older code loads), jdk.jcmd (runtime/bin/jcmd for operators:
# `runtime/bin/jcmd <pid> Thread.print`, `JFR.start`). jdeps runs again meanwhile: a module it names that is not
# here (nor java.desktop) fails the build.
modules=java.base,java.naming,java.net.http,java.sql,jdk.httpserver,jdk.jfr,jdk.unsupported
modules=$modules,jdk.management,jdk.management.agent,jdk.naming.dns,jdk.crypto.ec,jdk.jcmd
left_out=java.desktop

rm -rf "$stage" "$work/aot-training"
mkdir -p "$stage/bin" "$stage/lib" "$stage/conf" "$work/aot-training" "$dist"

"$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$jar" >"$work/jdeps.txt" 2>&1 &
jdeps_pid=$!
"$jdk/bin/jlink" --add-modules "$modules" --output "$stage/runtime" \
    --strip-debug --no-header-files --no-man-pages
say "jlink: runtime/ $(du -sh "$stage/runtime" | cut -f1)"

cp "$jar" "$stage/lib/strait.jar"
(cd "$work/aot-training" && if command -v unzip >/dev/null 2>&1; then unzip -q "$jar" 'META-INF/native/*';
                            else "$jdk/bin/jar" xf "$jar" META-INF/native; fi)
mv "$work/aot-training/META-INF/native" "$stage/lib/native"
cp "$src/dist/bin/strait" "$stage/bin/strait"
chmod 755 "$stage/bin/strait"
cp "$src/dist/conf/gateway.yaml" "$stage/conf/gateway.yaml"

# The AOT cache: a gateway started by the release's own launcher (so with the gateway's JVM options) proxies
# HTTP/1.1 and HTTP/2 requests, with and without bodies, to a local backend, and answers the admin API; the JVM
# writes the cache when it exits. Its classpath is lib/strait.jar: the JVM accepts the cache wherever the
# release is unpacked, as long as the jar beside it is the same (size and time, kept by tar).
training="$work/aot-training"
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
backend_pid="" gateway_pid="" cp_pid=""
cleanup() {
  if [ -n "$cp_pid" ]; then kill "$cp_pid" 2>/dev/null || true; fi
  kill "$jdeps_pid" 2>/dev/null || true
  if [ -n "$gateway_pid" ]; then kill "$gateway_pid" 2>/dev/null || true; fi
  if [ -n "$backend_pid" ]; then kill "$backend_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
# until_up PID LOG WHAT CURL-ARGS...: waits until curl succeeds, failing when the process PID has died
until_up() {
  local pid=$1 log=$2 what=$3
  shift 3
  for _ in $(seq 600); do
    curl -fsS "$@" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "strait-dist: the training $what died" >&2; exit 1; }
    sleep 0.05
  done
  cat "$log" >&2; echo "strait-dist: the training $what did not come up" >&2; exit 1
}
# require_cache FILE LOG: the cache a training run must have written when it exited
require_cache() {
  if [ ! -s "$1" ]; then
    cat "$2" >&2
    echo "strait-dist: the training run wrote no $1" >&2
    exit 1
  fi
}
"$jdk/bin/java" "$src/build/TrainingBackend.java" "$training/backend.port" >"$training/backend.log" 2>&1 &
backend_pid=$!
port=$(free_port) admin=$(free_port)
for _ in $(seq 200); do [ -f "$training/backend.port" ] && break; sleep 0.05; done
backend=$(cat "$training/backend.port")
cat >"$training/gateway.yaml" <<EOF
admin: {address: 127.0.0.1:$admin}
listeners:
  - {name: public, address: 127.0.0.1:$port}
clusters:
  app:
    endpoints: [{address: 127.0.0.1:$backend}]
    healthCheck: {path: /healthz, interval: 1s}
routes:
  - name: api
    match: {pathPrefix: /api}
    cluster: app
    timeout: 5s
    retries: {attempts: 2}
  - name: other
    match: {pathPrefix: /}
    cluster: app
observability:
  accessLog: {path: $training/access.log}
EOF
STRAIT_JAVA_OPTS_APPEND="-XX:AOTCacheOutput=$stage/lib/strait.aot" \
    "$stage/bin/strait" gateway --config "$training/gateway.yaml" >"$training/gateway.log" 2>&1 &
gateway_pid=$!
until_up "$gateway_pid" "$training/gateway.log" gateway -o /dev/null "http://127.0.0.1:$admin/ready"
base="http://127.0.0.1:$port"
curl -fsS -o /dev/null "$base/api/users/[1-400]"
# one HTTP/2 request per connection: curl 7.88 reusing an h2c connection for a URL range reports framing errors
for i in $(seq 20); do curl -fsS -o /dev/null --http2-prior-knowledge "$base/api/orders/$i"; done
head -c 65536 /dev/zero | curl -fsS -o /dev/null -X POST -H 'Content-Type: application/octet-stream' --data-binary @- "$base/api/upload/[1-50]"
curl -sS -o /dev/null "$base/other/[1-50]" -H 'X-Request-Id: training'
for path in ready metrics config clusters; do curl -sS -o /dev/null "http://127.0.0.1:$admin/$path"; done
kill -TERM "$gateway_pid"
wait "$gateway_pid" || true
gateway_pid=""
require_cache "$stage/lib/strait.aot" "$training/gateway.log"
say "AOT cache: lib/strait.aot $(du -h "$stage/lib/strait.aot" | cut -f1) (training: $(wc -l <"$training/access.log") requests)"

# The sidecar's AOT cache (lib/strait-sidecar.aot, with the sidecar's own JVM options): a control plane, a join
# token, and a sidecar in front of the backend that calls itself through its outbound port (mutual TLS both ways).
cp_api=$(free_port) cp_admin=$(free_port)
cat >"$training/cp.yaml" <<EOF
dataDir: $training/control-plane
api: {address: 127.0.0.1:$cp_api}
admin: {address: 127.0.0.1:$cp_admin}
EOF
"$stage/bin/strait" control-plane --config "$training/cp.yaml" >"$training/control-plane.log" 2>&1 &
cp_pid=$!
until_up "$cp_pid" "$training/control-plane.log" "control plane" -o "$training/bundle.pem" "http://127.0.0.1:$cp_admin/trust-bundle"
"$stage/bin/strait" control-plane --config "$training/cp.yaml" token create --namespace default --account train --ttl 10m \
    | grep -o 'sjt_[A-Za-z0-9_-]*' >"$training/join.token"
inbound=$(free_port) outbound=$(free_port) sidecar_admin=$(free_port)
cat >"$training/sidecar.yaml" <<EOF
service: train
serviceAccount: train
controlPlane: {address: 127.0.0.1:$cp_api, trustBundleFile: bundle.pem, joinTokenFile: join.token}
inbound: {address: 127.0.0.1, port: $inbound, appPort: $backend}
outbound: {port: $outbound}
admin: {port: $sidecar_admin}
accessLog: {path: sidecar-access.log}
EOF
STRAIT_JAVA_OPTS_APPEND="-XX:AOTCacheOutput=$stage/lib/strait-sidecar.aot" \
    "$stage/bin/strait" sidecar --config "$training/sidecar.yaml" >"$training/sidecar.log" 2>&1 &
gateway_pid=$! # the cleanup's to kill on a failure
until_up "$gateway_pid" "$training/sidecar.log" sidecar -o /dev/null -H 'Host: train' "http://127.0.0.1:$outbound/api/ready"
curl -fsS -o /dev/null -H 'Host: train' "http://127.0.0.1:$outbound/api/orders/[1-300]"
head -c 65536 /dev/zero | curl -fsS -o /dev/null -H 'Host: train' --data-binary @- "http://127.0.0.1:$outbound/api/upload/[1-30]"
for path in ready metrics config clusters; do curl -sS -o /dev/null "http://127.0.0.1:$sidecar_admin/$path"; done
kill -TERM "$gateway_pid"
wait "$gateway_pid" || true
gateway_pid=""
kill -TERM "$cp_pid"
wait "$cp_pid" || true
cp_pid=""
require_cache "$stage/lib/strait-sidecar.aot" "$training/sidecar.log"
say "AOT cache: lib/strait-sidecar.aot $(du -h "$stage/lib/strait-sidecar.aot" | cut -f1) (training: $(wc -l <"$training/sidecar-access.log") requests)"

wait "$jdeps_pid" || { cat "$work/jdeps.txt" >&2; echo "strait-dist: jdeps failed" >&2; exit 1; }
for m in $(tr ',' ' ' <"$work/jdeps.txt"); do
  case ",$modules,$left_out," in
    *",$m,"*) ;;
    *) echo "strait-dist: the jar now needs JDK module $m (jdeps): add it to build-dist.sh's modules" >&2; exit 1 ;;
  esac
done
say "jdeps: $(cat "$work/jdeps.txt") (all in the runtime but $left_out)"

# Sorted, owned by root, no extended attributes: the same inputs make the same archive listing.
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$work" -czf "$tarball.tmp" "$name"
mv "$tarball.tmp" "$tarball"
say "$tarball $(du -h "$tarball" | cut -f1)"
