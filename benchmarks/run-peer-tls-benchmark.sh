#!/usr/bin/env bash
# Peer serving benchmark over HTTPS: requests per second and CPU time per request for a 2 KB and a
# 100 KB file served by a XenoService peer (PeerServer's HTTPS port, the site's certificate chosen
# by SNI) and by nginx with the same certificate, on the same machine, in the same run, with wrk;
# over kept-alive connections, and with a new connection (a TLS handshake) per request.
#
#   benchmarks/run-peer-tls-benchmark.sh            # about 5 minutes
#   ROUNDS=5 DURATION=15s benchmarks/run-peer-tls-benchmark.sh
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java SKIP_BUILD=1 benchmarks/run-peer-tls-benchmark.sh
#
# Makes a throwaway CA and an ECDSA P-256 certificate for bench.example; the peer serves it as the
# site's manual certificate, nginx from the same files. wrk connects to 127.0.0.1 but names
# bench.example in the URL, so it goes out as the Host header and as SNI (see loopback.lua below);
# wrk does not verify certificates, curl does (the check before measuring). Rounds alternate which
# server goes first. Needs wrk, nginx, curl and openssl (wrk and nginx installed with apt-get when
# run as root and missing). Outputs in benchmarks/target/peer-tls-bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/benchmarks/target/peer-tls-bench
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
NGINX_WORKERS=${NGINX_WORKERS:-$(nproc)}  # as many as the peer's I/O threads (Undertow: one per core)
PEER_PORT=${PEER_PORT:-18082}             # the peer's plain port, unused here
PEER_HTTPS_PORT=${PEER_HTTPS_PORT:-18443}
NGINX_HTTPS_PORT=${NGINX_HTTPS_PORT:-18444}
# shellcheck source=benchmarks/peer-bench-common.sh
. benchmarks/peer-bench-common.sh

peer_bench_tools
peer_bench_build
rm -rf "$OUT"; mkdir -p "$OUT/tls" "$OUT/nginx"
peer_bench_files "$OUT/site"

# A throwaway CA and the site's certificate: ECDSA P-256, as the peer's own keys (tls/csr) are.
(
  cd "$OUT/tls"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
  openssl req -x509 -new -key ca.key -sha256 -days 2 -subj "/CN=XenoService benchmark CA" \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out site.key 2>/dev/null
  openssl req -new -key site.key -subj "/CN=$HOST" -out site.csr
  printf '%s\n' "basicConstraints=critical,CA:false" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" "subjectAltName=DNS:$HOST" > site.ext
  openssl x509 -req -in site.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -sha256 \
    -extfile site.ext -out site.pem 2>/dev/null
)

# nginx: same files, same certificate and key, TLS 1.2 and 1.3, HTTP/2 on (wrk speaks HTTP/1.1),
# a session cache and tickets as the JDK has them by default (24 h, stateless tickets).
cat > "$OUT/nginx/nginx.conf" <<CONF
worker_processes $NGINX_WORKERS;
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
    listen 127.0.0.1:$NGINX_HTTPS_PORT ssl http2;
    server_name $HOST;
    ssl_certificate $OUT/tls/site.pem;
    ssl_certificate_key $OUT/tls/site.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    ssl_session_timeout 24h;
    ssl_session_tickets on;
    root $OUT/site;
    etag on;
  }
}
CONF
peer_bench_start_nginx "$OUT/nginx/nginx.conf"
PEER_LOG=$OUT/peer.log PEER_READY=https-port peer_bench_start_peer \
  "$OUT/site" "$HOST" "$PEER_PORT" "$OUT/peer-work" "$PEER_HTTPS_PORT" "$OUT/tls/site.pem" "$OUT/tls/site.key"

# wrk resolves the URL's host with getaddrinfo; this script makes it connect to 127.0.0.1 instead,
# while the URL's host still goes out as the Host header and the TLS server name.
cat > "$OUT/loopback.lua" <<'LUA'
function wrk.resolve(host, service)
   wrk.addrs = wrk.lookup("127.0.0.1", service)
end
LUA

# Check both before measuring: curl verifies the chain against the CA and the name; s_client shows
# what each negotiates with OpenSSL's defaults (wrk's too) and whether a session is resumed.
: > "$OUT/tls-check.txt"
for server in peer nginx; do
  port=$([ "$server" = peer ] && echo "$PEER_HTTPS_PORT" || echo "$NGINX_HTTPS_PORT")
  for file in 2k.bin 100k.bin; do
    got=$(curl -sS --cacert "$OUT/tls/ca.pem" --resolve "$HOST:$port:127.0.0.1" -o "$OUT/got" \
      -w '%{http_code} %{http_version}' "https://$HOST:$port/$file")
    [ "$got" = "200 2" ] && cmp -s "$OUT/got" "$OUT/site/$file" \
      || { echo "$server answered $got for $file, or other bytes" >&2; exit 1; }
  done
  for attempt in first again; do
    session=$([ "$attempt" = first ] && echo -sess_out || echo -sess_in)
    printf 'GET /2k.bin HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$HOST" \
      | openssl s_client -connect "127.0.0.1:$port" -servername "$HOST" -CAfile "$OUT/tls/ca.pem" \
          "$session" "$OUT/tls/$server.session" -ign_eof 2>&1 \
      | grep -a -E '^(New|Reused),|^Server Temp Key|^Verify return code' | tr '\n' ' ' \
      | sed "s/^/$server $attempt: /;s/ *$/\n/" >> "$OUT/tls-check.txt"
  done
done
cat "$OUT/tls-check.txt"

declare -A port_of pid_of
port_of[peer]=$PEER_HTTPS_PORT; port_of[nginx]=$NGINX_HTTPS_PORT
pid_of[peer]=$PEER_PID; pid_of[nginx]=$NGINX_PID
busy_ticks() {  # CPU time all processes of the machine used so far (user, nice, system, irq, softirq)
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat
}
# wrk's own CPU time: `times` (a builtin, no fork) gives this shell's finished children's user and
# system time; measure runs in a subshell of its own, whose children are the wrk runs and a few
# small commands (about a millisecond each, against seconds for wrk).
measure() {  # server mode file round -> a line of rounds.tsv
  local ticks0 ticks1 wrk0 wrk1 busy0 busy1 txt=$OUT/$1-$2-$3-$4.txt close=()
  # "Connection: close" with its space: wrk ignores a header without one
  [ "$2" = close ] && close=(-H "Connection: close")
  busy0=$(busy_ticks); ticks0=$(cpu_ticks "${pid_of[$1]}")
  times > "$OUT/times"; wrk0=$(awk 'NR == 2' "$OUT/times")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$OUT/loopback.lua" "${close[@]}" \
    "https://$HOST:${port_of[$1]}/$3" > "$txt"
  times > "$OUT/times"; wrk1=$(awk 'NR == 2' "$OUT/times")
  ticks1=$(cpu_ticks "${pid_of[$1]}"); busy1=$(busy_ticks)
  awk -v s="$1" -v m="$2" -v f="$3" -v r="$4" -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" \
      -v w0="$wrk0" -v w1="$wrk1" -v busy=$((busy1 - busy0)) '
    function sec(x,   parts, i, sum, t) {
      split(x, parts, " ")
      for (i = 1; i <= 2; i++) {split(parts[i], t, "m"); sub("s", "", t[2]); sum += t[1] * 60 + t[2]}
      return sum
    }
    /requests in/ {n = $1; d = $4; sub("s,", "", d)} /Requests\/sec/ {rps = $2}
    /Socket errors/ {gsub(",", ""); e += $4 + $6 + $8 + $10} /Non-2xx/ {e += $NF}
    END {w = sec(w1) - sec(w0)
         printf "%s\t%s\t%s\t%s\t%s\t%.1f\t%.1f\t%.2f\t%d\t%d\n", r, m, f, s, rps, t / hz * 1e6 / n,
                w * 1e6 / n, (busy - t) / hz / d - w / d, n, e}' "$txt"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/summary.txt"
for file in 2k.bin 100k.bin; do  # JIT warm-up for the peer, a short one for nginx
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$OUT/loopback.lua" "https://$HOST:$PEER_HTTPS_PORT/$file" >/dev/null
done
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$OUT/loopback.lua" -H "Connection: close" \
  "https://$HOST:$PEER_HTTPS_PORT/2k.bin" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$OUT/loopback.lua" "https://$HOST:$NGINX_HTTPS_PORT/2k.bin" >/dev/null

printf 'round\tmode\tfile\tserver\treq/s\tcpu_us_per_req\twrk_cpu_us_per_req\tother_cores\trequests\terrors\n' > "$OUT/rounds.tsv"
for round in $(seq 1 "$ROUNDS"); do
  order=(peer nginx); ((round % 2)) || order=(nginx peer)
  for mode in keepalive close; do
    for file in 2k.bin 100k.bin; do
      for server in "${order[@]}"; do
        measure "$server" "$mode" "$file" "$round" | tee -a "$OUT/rounds.tsv"
      done
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"

python3 - "$OUT/rounds.tsv" <<'PY' | tee -a "$OUT/summary.txt"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
print(f"{'mode':<10} {'file':<9} {'peer req/s, each round':<26} {'nginx req/s, each round':<26} {'ratio':>6}"
      f" {'server CPU us/req':>18} {'wrk CPU us/req':>16} {'errors':>6}")
print(f"{'':<73} {'peer':>8} {'nginx':>9} {'peer':>7} {'nginx':>8}")
for mode in ('keepalive', 'close'):
    for file in ('2k.bin', '100k.bin'):
        def pick(server, key):
            return [float(r[key]) for r in rows if (r['mode'], r['file'], r['server']) == (mode, file, server)]
        median = lambda server, key: statistics.median(pick(server, key))
        each = lambda xs: ' '.join(f'{x:,.0f}' for x in xs)
        errors = sum(int(r['errors']) for r in rows if (r['mode'], r['file']) == (mode, file))
        print(f"{mode:<10} {file:<9} {each(pick('peer', 'req/s')):<26} {each(pick('nginx', 'req/s')):<26}"
              f" {median('peer', 'req/s') / median('nginx', 'req/s'):6.2f}"
              f" {median('peer', 'cpu_us_per_req'):8.1f} {median('nginx', 'cpu_us_per_req'):9.1f}"
              f" {median('peer', 'wrk_cpu_us_per_req'):7.1f} {median('nginx', 'wrk_cpu_us_per_req'):8.1f} {errors:6d}")
print("ratio = median peer req/s / median nginx req/s. CPU per request: medians over the rounds of user +"
      " system time / requests; the server's (nginx: master and workers) and wrk's own.")
others = [float(r['other_cores']) for r in rows]
print(f"other processes used {min(others):.2f}-{max(others):.2f} of the cores during the runs"
      f" (median {statistics.median(others):.2f})")
PY
echo "$(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds; nginx worker_processes $NGINX_WORKERS;" \
  "peer on $("${JAVA:-java}" -version 2>&1 | head -1)" | tee -a "$OUT/summary.txt"
