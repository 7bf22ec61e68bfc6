#!/usr/bin/env bash
# XenoHandler overhead benchmark: requests per second for Undertow's hello-world handler, bare and
# wrapped in XenoHandler with a real XenoService, in the same run, with wrk.
#
#   benchmarks/run-handler-benchmark.sh                 # about 90 s
#   ROUNDS=5 DURATION=20s benchmarks/run-handler-benchmark.sh
#
# Two JVMs with the same flags serve on loopback at once; wrk measures one at a time, alternating
# (bare then wrapped, then wrapped then bare, ...) so that drift in the machine's load hits both.
# Besides req/s it reports each server JVM's CPU time (user + system, from /proc) per request,
# which other jobs on the machine disturb less than throughput.
# Needs wrk (installed with apt-get when run as root and missing). Outputs in benchmarks/target/handler-bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/benchmarks/target/handler-bench
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
BARE_PORT=${BARE_PORT:-18090}
WRAPPED_PORT=${WRAPPED_PORT:-18091}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx256m}

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk
  else
    echo "needs: wrk (apt-get install wrk)" >&2; exit 1
  fi
fi

if [[ "${SKIP_BUILD:-0}" != 1 || ! -f benchmarks/target/benchmarks.jar ]]; then
  mvn -B -ntp -q -pl benchmarks -am package -DskipTests
fi
rm -rf "$OUT"; mkdir -p "$OUT"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

for mode in bare wrapped; do
  port=$([ "$mode" = bare ] && echo "$BARE_PORT" || echo "$WRAPPED_PORT")
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
  java $JAVA_OPTS -cp benchmarks/target/benchmarks.jar org.xenoservice.benchmarks.HandlerBenchmarkServer \
    "$mode" "$port" "$OUT/$mode-work" > "$OUT/$mode.log" 2>&1 &
  pids+=($!)
done
for mode in bare wrapped; do
  for _ in $(seq 1 100); do grep -q '^port=' "$OUT/$mode.log" 2>/dev/null && break; sleep 0.2; done
  grep -q '^port=' "$OUT/$mode.log" || { echo "the $mode server did not start:" >&2; cat "$OUT/$mode.log" >&2; exit 1; }
done
for port in "$BARE_PORT" "$WRAPPED_PORT"; do
  body=$(curl -s "http://127.0.0.1:$port/")
  [ "$body" = "Hello, World!" ] || { echo "server on $port answered '$body'" >&2; exit 1; }
done

declare -A pid_of
pid_of[bare]=${pids[0]}; pid_of[wrapped]=${pids[1]}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime of the server JVM
measure() {  # mode round -> "req/s cpu-us-per-request"
  local port ticks0 ticks1; port=$([ "$1" = bare ] && echo "$BARE_PORT" || echo "$WRAPPED_PORT")
  ticks0=$(cpu_ticks "${pid_of[$1]}")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$port/" > "$OUT/$1-$2.txt"
  ticks1=$(cpu_ticks "${pid_of[$1]}")
  awk -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" '
    /requests in/ {n = $1} /Requests\/sec/ {r = $2} END {printf "%s %.2f\n", r, t / hz * 1e6 / n}' "$OUT/$1-$2.txt"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# warm both up (JIT), one at a time
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$BARE_PORT/" > /dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$WRAPPED_PORT/" > /dev/null

printf '%-6s %14s %14s %8s %16s %16s\n' round "bare req/s" "wrapped req/s" ratio "bare CPU us/req" "wrapped CPU us/req" \
  | tee "$OUT/summary.txt"
bare_all=(); wrapped_all=(); bare_cpu=(); wrapped_cpu=()
for round in $(seq 1 "$ROUNDS"); do
  if ((round % 2)); then
    read -r bare bcpu < <(measure bare "$round"); read -r wrapped wcpu < <(measure wrapped "$round")
  else
    read -r wrapped wcpu < <(measure wrapped "$round"); read -r bare bcpu < <(measure bare "$round")
  fi
  bare_all+=("$bare"); wrapped_all+=("$wrapped"); bare_cpu+=("$bcpu"); wrapped_cpu+=("$wcpu")
  printf '%-6s %14s %14s %8s %16s %16s\n' "$round" "$bare" "$wrapped" \
    "$(python3 -c "print(f'{$wrapped / $bare:.3f}')")" "$bcpu" "$wcpu" | tee -a "$OUT/summary.txt"
done
python3 - "${bare_all[*]}" "${wrapped_all[*]}" "${bare_cpu[*]}" "${wrapped_cpu[*]}" <<'PY' | tee -a "$OUT/summary.txt"
import sys
bare, wrapped, bcpu, wcpu = ([float(x) for x in arg.split()] for arg in sys.argv[1:5])
mean = lambda xs: sum(xs) / len(xs)
print(f"{'mean':<6} {mean(bare):14.2f} {mean(wrapped):14.2f} {mean(wrapped) / mean(bare):8.3f}"
      f" {mean(bcpu):16.2f} {mean(wcpu):16.2f}")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds)" \
  | tee -a "$OUT/summary.txt"
