# Shared by run-peer-benchmark.sh (HTTP) and run-peer-tls-benchmark.sh (HTTPS): the tools, the jar,
# the two files, starting nginx and the peer, stopping them on exit, and CPU time from /proc.
# Sourced from the repository's root, after `set -euo pipefail`; not meant to be run.

HOST=bench.example  # the site both servers serve; wrk and curl name it, and connect to 127.0.0.1
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# Installs wrk and nginx when root and missing (apt-get), or says what is missing; sets NGINX.
peer_bench_tools() {
  local need=()
  command -v wrk >/dev/null || need+=(wrk)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
  command -v curl >/dev/null || need+=(curl)
  if ((${#need[@]})); then
    if [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
    else
      echo "needs: ${need[*]} (apt-get install ${need[*]})" >&2; exit 1
    fi
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# Builds benchmarks/target/benchmarks.jar, unless SKIP_BUILD=1 and it exists.
peer_bench_build() {
  if [[ "${SKIP_BUILD:-0}" != 1 || ! -f benchmarks/target/benchmarks.jar ]]; then
    mvn -B -ntp -q -pl benchmarks -am package -DskipTests
  fi
}

# Writes the two incompressible files both servers serve: 2k.bin and 100k.bin, into $1.
peer_bench_files() {
  mkdir -p "$1"
  head -c 2048 /dev/urandom > "$1/2k.bin"
  head -c 102400 /dev/urandom > "$1/100k.bin"
}

# Starts nginx in the foreground of a background job with the config $1 (its prefix is the
# config's folder); sets NGINX_PID (the master; its workers are its children).
peer_bench_start_nginx() {
  mkdir -p "$(dirname "$1")/logs"
  "$NGINX" -c "$1" -p "$(dirname "$1")" &
  NGINX_PID=$!
  pids+=("$NGINX_PID")
}

# Starts PeerBenchmarkServer with the arguments given (SITE_DIR HOST PORT WORK_DIR [HTTPS_PORT
# CHAIN KEY [TLS_ENGINE]]), its output in $PEER_LOG, and waits for the line that starts with $PEER_READY
# (serving-port or https-port); sets PEER_PID. JAVA (default: java) runs it, with JAVA_OPTS.
peer_bench_start_peer() {
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
  "${JAVA:-java}" ${JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar org.xenoservice.benchmarks.PeerBenchmarkServer "$@" \
    > "$PEER_LOG" 2>&1 &
  PEER_PID=$!
  pids+=("$PEER_PID")
  for _ in $(seq 1 150); do grep -q "^$PEER_READY=" "$PEER_LOG" 2>/dev/null && break; sleep 0.2; done
  grep -q "^$PEER_READY=" "$PEER_LOG" || { echo "the peer did not start:" >&2; cat "$PEER_LOG" >&2; exit 1; }
}

# CPU time (user + system, clock ticks) used so far by the processes $@ and their child processes
# (nginx's workers); a JVM's threads are in its own figure.
cpu_ticks() {
  local pid total=0
  for pid in "$@" $(for p in "$@"; do pgrep -P "$p" || true; done); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}
