#!/usr/bin/env bash
# Request recorder benchmark: the cost of one start()+end() pair on the overload detector's hot path,
# RequestRecorder against a synchronized recorder that keeps the same information, and the adapter
# contract's begin()+end() (RequestTracker, what XenoHandler and XenoFilter call per request) on a
# started XenoService, at 1, 2 and 4 threads (one @Benchmark method per thread count), with JMH's GC
# profiler for the bytes allocated per pair. Prints a summary table: ns/op and gc.alloc.rate.norm
# (B/op) for each.
#
#   benchmarks/run-recorder-benchmark.sh              # about 2 minutes
#   WARMUP=2 ITERATIONS=3 benchmarks/run-recorder-benchmark.sh   # a short run, about 80 s
#   WARMUP=5 ITERATIONS=10 benchmarks/run-recorder-benchmark.sh
#
# Environment: WARMUP (3 iterations of 1 s), ITERATIONS (5 of 1 s), FORKS (1), SKIP_BUILD=1 to reuse
# benchmarks/target/benchmarks.jar. Outputs in benchmarks/target/recorder-bench/ (jmh.json, jmh.log,
# summary.txt). Goal: at most 50 ns/op at 1 thread, 100 ns/op at 2-4 threads, 0 B/op.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WARMUP=${WARMUP:-3}
ITERATIONS=${ITERATIONS:-5}
FORKS=${FORKS:-1}
JAR=$ROOT/benchmarks/target/benchmarks.jar
OUT=$ROOT/benchmarks/target/recorder-bench

command -v python3 >/dev/null || { echo "needs python3 for the summary" >&2; exit 1; }
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" ]]; then
  echo "== building benchmarks.jar"
  mvn -B -ntp -q -pl benchmarks -am package -DskipTests
fi
mkdir -p "$OUT"

echo "== JMH: RequestRecorderBenchmark ($WARMUP × 1 s warm-up, $ITERATIONS × 1 s measured, $FORKS fork(s), -prof gc)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
java -jar "$JAR" 'org.xenoservice.benchmarks.RequestRecorderBenchmark' \
  -f "$FORKS" -wi "$WARMUP" -i "$ITERATIONS" -w 1s -r 1s -prof gc \
  -rf json -rff "$OUT/jmh.json" | tee "$OUT/jmh.log"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo
  echo "== summary ($(nproc) cores; $(java -version 2>&1 | head -1))"
  echo "load average (1, 5, 15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER (the benchmark itself keeps up to its thread count busy)"
  python3 - "$OUT/jmh.json" <<'EOF'
import json, sys

rows = {}
for b in json.load(open(sys.argv[1])):
    name = b["benchmark"].rsplit(".", 1)[1]
    base = name.replace("2Threads", "").replace("4Threads", "")
    norm = b["secondaryMetrics"].get("gc.alloc.rate.norm", {}).get("score", float("nan"))
    rows[(base, b["threads"])] = (b["primaryMetric"]["score"], b["primaryMetric"]["scoreError"], norm)

goal = {1: 50, 2: 100, 4: 100}
print(f"{'recorder':<22} {'threads':>7} {'ns/op':>8} {'± err':>7} {'B/op':>6}  goal")
for base in ("xenoRecorder", "adapterContract", "servicePrimitive", "synchronizedBaseline", "nanoTimeTwice"):
    for threads in (1, 2, 4):
        if (base, threads) not in rows:
            continue
        score, err, norm = rows[(base, threads)]
        mark = ""
        if base in ("xenoRecorder", "adapterContract", "servicePrimitive"):
            ok = score <= goal[threads] and norm < 0.5
            mark = f"≤ {goal[threads]} ns, 0 B: {'met' if ok else 'MISSED'}"
        print(f"{base:<22} {threads:>7} {score:>8.1f} {err:>7.1f} {norm:>6.2f}  {mark}")
EOF
} | tee "$OUT/summary.txt"
