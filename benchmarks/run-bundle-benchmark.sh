#!/usr/bin/env bash
# Bundle build benchmark: XenoService bundle build vs `tar czf` of the same mixed tree (JMH, one
# run), then the size of a delta bundle after a one-file change. Prints a summary table.
#
#   benchmarks/run-bundle-benchmark.sh                 # the 200 MB tree (about 10 minutes on 2 cores)
#   SIZE_MB=20 ITERATIONS=3 benchmarks/run-bundle-benchmark.sh   # a quick check
#
# Environment: SIZE_MB (200), SEED (42), WARMUP (2), ITERATIONS (5), TIMEOUT_S (3600, for the JMH
# run), SKIP_BUILD=1 to reuse benchmarks/target/benchmarks.jar. Outputs in benchmarks/target/bundle-bench/.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SIZE_MB=${SIZE_MB:-200}
SEED=${SEED:-42}
WARMUP=${WARMUP:-2}
ITERATIONS=${ITERATIONS:-5}
TIMEOUT_S=${TIMEOUT_S:-3600}
JAR=$ROOT/benchmarks/target/benchmarks.jar
TREE=$ROOT/benchmarks/target/mixed-tree-${SIZE_MB}mb
OUT=$ROOT/benchmarks/target/bundle-bench
QUIET=-Dorg.slf4j.simpleLogger.defaultLogLevel=warn

command -v tar >/dev/null && tar --version | sed -n 1p | grep -q 'GNU tar' \
  || { echo "needs GNU tar on the PATH" >&2; exit 1; }
command -v python3 >/dev/null || { echo "needs python3 for the summary" >&2; exit 1; }

if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" ]]; then
  echo "== building benchmarks.jar"
  mvn -B -ntp -q -pl benchmarks -am package -DskipTests
fi
mkdir -p "$OUT"

echo "== generating the ${SIZE_MB} MB tree (seed $SEED; skipped when its marker matches)"
java $QUIET -cp "$JAR" org.xenoservice.benchmarks.MixedTree "$TREE" "$SIZE_MB" "$SEED"
sync  # the tree's write-back must not land in the first timed iteration

echo "== JMH: BundleBuildBenchmark ($WARMUP warm-up + $ITERATIONS measured single shots each)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
timeout "$TIMEOUT_S" java -jar "$JAR" 'org.xenoservice.benchmarks.BundleBuildBenchmark' \
  -p treeDir="$TREE" -p sizeMb="$SIZE_MB" -p seed="$SEED" \
  -wi "$WARMUP" -i "$ITERATIONS" -rf json -rff "$OUT/jmh.json" | tee "$OUT/jmh.log"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo "== DeltaSizeReport"
sync
java $QUIET -Xmx2g -cp "$JAR" org.xenoservice.benchmarks.DeltaSizeReport \
  "$TREE" "$SIZE_MB" "$SEED" "$OUT/delta.json" | tee "$OUT/delta.log"

{
  echo
  echo "== summary ($(nproc) cores; $(java -version 2>&1 | head -1); $(tar --version | head -1))"
  echo "load average (1, 5, 15 min) before JMH: $LOAD_BEFORE; after: $LOAD_AFTER (above 1 means other work shared the cores)"
  python3 - "$TREE.marker" "$OUT/jmh.json" "$OUT/delta.json" <<'EOF'
import json, sys

marker = dict(line.split("=", 1) for line in open(sys.argv[1]).read().split() if "=" in line)
tree_bytes = int(marker["bytes"])
jmh = json.load(open(sys.argv[2]))
delta = json.load(open(sys.argv[3]))

def mb(n):
    return f"{n / 1e6:,.2f} MB"

runs = {}
for b in jmh:
    name = b["benchmark"].rsplit(".", 1)[1]
    raw = [x for fork in b["primaryMetric"]["rawData"] for x in fork]  # ms per build
    mean = sum(raw) / len(raw)
    runs[name] = (mean, min(raw), max(raw), raw)

print(f"tree: {marker['files']} files, {mb(tree_bytes)} (MB = 10^6 bytes), seed {marker['seed']}")
print()
print(f"{'benchmark':<18} {'mean s':>7} {'min-max s':>13} {'MB/s':>7} {'MB/s range':>13} {'vs tar czf':>11}")
tar_mean = runs["tarCzf"][0] if "tarCzf" in runs else None
for name in ("xenoBuild", "xenoBuildGzipped", "tarCzf"):
    if name not in runs:
        continue
    mean, lo, hi, raw = runs[name]
    rate = tree_bytes / 1e6 / (mean / 1e3)
    ratio = f"{tar_mean / mean:.2f}x" if tar_mean else "-"
    print(f"{name:<18} {mean / 1e3:7.2f} {lo / 1e3:6.2f}-{hi / 1e3:<6.2f} {rate:7.1f} "
          f"{tree_bytes / 1e6 / (hi / 1e3):6.1f}-{tree_bytes / 1e6 / (lo / 1e3):<6.1f} {ratio:>11}")
print("  (vs tar czf = tar czf time / this time: above 1 means faster than tar czf)")
print()
tgz = delta["tarGzBytes"]
print(f"{'output':<34} {'bytes':>14} {'size':>12} {'vs tar.gz':>9}")
for label, key in (("full bundle (tar, blobs gzipped)", "fullBundleBytes"),
                   ("full bundle, whole gzipped", "fullBundleGzippedBytes"),
                   ("tar czf of the tree", "tarGzBytes"),
                   ("manifest.json", "manifestBytes"),
                   ("delta bundle after a 1-file edit", "deltaBundleBytes"),
                   ("delta bundle, whole gzipped", "deltaBundleGzippedBytes")):
    print(f"{label:<34} {delta[key]:>14,} {mb(delta[key]):>12} {delta[key] / tgz:9.4f}")
print()
print(f"edited {delta['changedFile']}: {delta['changedFileBytes']:,} bytes "
      f"({delta['changedFileStoredBytes']:,} stored gzipped); delta carries {delta['deltaBlobsCarried']} blob")
print(f"delta / full = {delta['deltaOverFull']:.5f} (whole-gzipped: {delta['deltaGzippedOverFullGzipped']:.5f}); "
      f"delta build took {delta['deltaBuildSeconds']:.1f} s vs a full build of v2 {delta['fullBuildWarmSeconds']:.1f} s "
      f"(single runs, JIT warm)")
EOF
} | tee "$OUT/summary.txt"
