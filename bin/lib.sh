# Shared by bin/strait, bin/test and the bench scripts: find a JDK >= 21 and Maven.
# shellcheck shell=bash

strait_java_version() { # prints the major version of the java binary $1, or nothing
  # A JDK's release file names its version: reading it costs nothing, where `java -version` starts a JVM
  # (about 0.1 s each, and a launch looks at several JDKs): what a sidecar's start-to-ready time would pay.
  # Bash builtins only (no awk, no dirname): each process a launch forks costs a sidecar's start some milliseconds.
  local release line v
  release="${1%/*}/../release"
  if [ -r "$release" ]; then
    while IFS= read -r line; do
      case "$line" in
        JAVA_VERSION=*)
          v=${line#JAVA_VERSION=}; v=${v//\"/}
          [ "${v%%.*}" = 1 ] && v=${v#1.}
          v=${v%%[!0-9]*}
          if [ -n "$v" ]; then echo "$v"; return; fi
          break ;;
      esac
    done <"$release"
  fi
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

# Sets JAVA_HOME to a JDK >= 21: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
strait_find_jdk() {
  local v best="" bestv=0 d
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(strait_java_version "$JAVA_HOME/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then export JAVA_HOME; return 0; fi
  fi
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(strait_java_version "$d/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
  done
  if [ -z "$best" ]; then
    echo "strait: no JDK 21 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm/*)." >&2
    echo "strait: install one, e.g. 'apt-get install -y openjdk-21-jdk-headless' or a Temurin JDK, or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME=$best
}

strait_require_mvn() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "strait: Maven (mvn) is needed to build; install it with 'apt-get install -y maven'." >&2
    return 1
  fi
}

# Maven's bundled Guava warns about sun.misc.Unsafe on JDK 24+; the warning is noise for our users.
strait_maven_opts() {
  local v
  v=$(strait_java_version "$JAVA_HOME/bin/java")
  if [ -z "${MAVEN_OPTS:-}" ] && [ -n "$v" ] && [ "$v" -ge 24 ]; then
    export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow"
  fi
}
