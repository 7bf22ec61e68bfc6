#!/usr/bin/env bash
# Peer serving benchmark: requests per second for a 2 KB and a 100 KB file served by a XenoService
# peer (PeerServer) and by nginx, on the same machine, in the same run, with wrk.
#
#   benchmarks/run-peer-benchmark.sh            # about 2 minutes
#   DURATION=30s CONNECTIONS=128 benchmarks/run-peer-benchmark.sh
#
# Needs wrk and nginx (installed with apt-get when run as root and missing). Both servers serve the
# same files, identity-encoded (incompressible bytes: no gzip on either side), on loopback; wrk
# sends the site's Host header. Outputs in benchmarks/target/peer-bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/benchmarks/target/peer-bench
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PEER_PORT=${PEER_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
# shellcheck source=benchmarks/peer-bench-common.sh
. benchmarks/peer-bench-common.sh

peer_bench_tools
peer_bench_build
rm -rf "$OUT"; mkdir -p "$OUT/nginx"
peer_bench_files "$OUT/site"

cat > "$OUT/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    server_name $HOST;
    root $OUT/site;
    etag on;
  }
}
CONF
peer_bench_start_nginx "$OUT/nginx/nginx.conf"
PEER_LOG=$OUT/peer.log PEER_READY=serving-port \
  peer_bench_start_peer "$OUT/site" "$HOST" "$PEER_PORT" "$OUT/peer-work"
for port in "$PEER_PORT" "$NGINX_PORT"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $HOST" "http://127.0.0.1:$port/2k.bin")
  [ "$code" = 200 ] || { echo "server on $port answered $code" >&2; exit 1; }
done

run() {  # name port path
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "Host: $HOST" "http://127.0.0.1:$2$3" > "$OUT/$1.txt"
  awk '/Requests\/sec/ {print $2}' "$OUT/$1.txt"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# warm both up (JIT for the peer), then measure each in turn
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -H "Host: $HOST" "http://127.0.0.1:$PEER_PORT/2k.bin" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -H "Host: $HOST" "http://127.0.0.1:$PEER_PORT/100k.bin" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -H "Host: $HOST" "http://127.0.0.1:$NGINX_PORT/2k.bin" >/dev/null
printf '%-10s %14s %14s %8s\n' file "peer req/s" "nginx req/s" ratio | tee "$OUT/summary.txt"
for file in 2k.bin 100k.bin; do
  peer=$(run "peer-$file" "$PEER_PORT" "/$file")
  nginx=$(run "nginx-$file" "$NGINX_PORT" "/$file")
  ratio=$(python3 -c "print(f'{$peer / $nginx:.2f}')")
  printf '%-10s %14s %14s %8s\n' "$file" "$peer" "$nginx" "$ratio" | tee -a "$OUT/summary.txt"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION)" | tee -a "$OUT/summary.txt"
