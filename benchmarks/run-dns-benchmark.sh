#!/usr/bin/env bash
# DNS update latency: one RFC 2136 UPDATE with 1, 10 and 60 changes, sent by Rfc2136DnsUpdater and
# by nsupdate in the same run, against a BIND 9 started on loopback for the run.
#
#   benchmarks/run-dns-benchmark.sh [ROUNDS]      # default 500 rounds (add + remove) per size
#
# Needs named (Debian bind9) and nsupdate (bind9-dnsutils). Writes benchmarks/target/dns-update-latency.json.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-500}
command -v nsupdate >/dev/null || { echo "needs nsupdate: apt-get install bind9-dnsutils" >&2; exit 1; }
[ -x /usr/sbin/named ] || command -v named >/dev/null || { echo "needs named: apt-get install bind9" >&2; exit 1; }
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f benchmarks/target/benchmarks.jar ]]; then
  mvn -B -ntp -q -pl benchmarks -am package -DskipTests
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp benchmarks/target/benchmarks.jar org.xenoservice.benchmarks.DnsUpdateLatency "$ROUNDS" \
  benchmarks/target/dns-update-latency.json
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
