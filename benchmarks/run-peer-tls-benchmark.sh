#!/usr/bin/env bash
# Peer serving benchmark over HTTPS: requests per second and CPU time per request for a 2 KB and a
# 100 KB file served by XenoService peers (PeerServer's HTTPS port, the site's certificate chosen
# by SNI), one per TLS engine (tls-engine: the JDK's and BoringSSL), and by nginx with the same
# certificate, on the same machine, in the same run, with wrk; over kept-alive connections, and with
# a new connection (a TLS handshake) per request.
#
#   benchmarks/run-peer-tls-benchmark.sh            # about 8 minutes
#   ROUNDS=5 DURATION=15s benchmarks/run-peer-tls-benchmark.sh
#   ENGINES=boringssl SKIP_BUILD=1 benchmarks/run-peer-tls-benchmark.sh   # one peer only
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java SKIP_BUILD=1 benchmarks/run-peer-tls-benchmark.sh
#
# Makes a throwaway CA and an ECDSA P-256 certificate for bench.example; the peer serves it as the
# site's manual certificate, nginx from the same files. wrk connects to 127.0.0.1 but names
# bench.example in the URL, so it goes out as the Host header and as SNI (see loopback.lua below);
# wrk does not verify certificates, curl does (the check before measuring). Rounds alternate which
# server goes first (each round starts one later in the list: peer-jdk, peer-boringssl, nginx). Needs wrk, nginx, curl and openssl (wrk and nginx installed with apt-get when
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
ENGINES=${ENGINES:-jdk boringssl}          # one peer per TLS engine (tls-engine), each with its own JVM
PEER_PORT=${PEER_PORT:-18082}             # the first peer's plain port, unused here; the next peer's is one more
PEER_HTTPS_PORT=${PEER_HTTPS_PORT:-18443} # the first peer's HTTPS port; the next peer's is two more
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
declare -A port_of pid_of
servers=() peers=() index=0
for engine in $ENGINES; do
  PEER_LOG=$OUT/peer-$engine.log PEER_READY=https-port peer_bench_start_peer "$OUT/site" "$HOST" \
    $((PEER_PORT + index)) "$OUT/peer-work-$engine" $((PEER_HTTPS_PORT + 2 * index)) "$OUT/tls/site.pem" \
    "$OUT/tls/site.key" "$engine"
  # the engine asked for must be the one it uses: a fallback from boringssl would measure the JDK twice
  grep -q "^https-engine=$engine\$" "$OUT/peer-$engine.log" \
    || { echo "the $engine peer does not handshake with $engine:" >&2; cat "$OUT/peer-$engine.log" >&2; exit 1; }
  port_of[peer-$engine]=$((PEER_HTTPS_PORT + 2 * index)); pid_of[peer-$engine]=$PEER_PID
  servers+=("peer-$engine"); peers+=("peer-$engine"); index=$((index + 1))
done
servers+=(nginx)
port_of[nginx]=$NGINX_HTTPS_PORT; pid_of[nginx]=$NGINX_PID

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
for server in "${servers[@]}"; do
  port=${port_of[$server]}
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
for peer in "${peers[@]}"; do  # JIT warm-up for each peer, a short one for nginx
  for file in 2k.bin 100k.bin; do
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$OUT/loopback.lua" "https://$HOST:${port_of[$peer]}/$file" >/dev/null
  done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$OUT/loopback.lua" -H "Connection: close" \
    "https://$HOST:${port_of[$peer]}/2k.bin" >/dev/null
done
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$OUT/loopback.lua" "https://$HOST:$NGINX_HTTPS_PORT/2k.bin" >/dev/null

printf 'round\tmode\tfile\tserver\treq/s\tcpu_us_per_req\twrk_cpu_us_per_req\tother_cores\trequests\terrors\n' > "$OUT/rounds.tsv"
for round in $(seq 1 "$ROUNDS"); do
  shift_by=$(((round - 1) % ${#servers[@]}))
  order=("${servers[@]:shift_by}" "${servers[@]:0:shift_by}")
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
servers = list(dict.fromkeys(r['server'] for r in rows))
print(f"{'mode':<10} {'file':<9} {'server':<13} {'req/s, each round':<30} {'ratio':>6} {'CPU us/req':>11}"
      f" {'wrk CPU us/req':>15} {'other cores':>16} {'errors':>6}")
for mode in ('keepalive', 'close'):
    for file in ('2k.bin', '100k.bin'):
        def pick(server, key):
            return [float(r[key]) for r in rows if (r['mode'], r['file'], r['server']) == (mode, file, server)]
        nginx = statistics.median(pick('nginx', 'req/s'))
        for server in servers:
            rps = pick(server, 'req/s')
            errors = sum(int(r['errors']) for r in rows if (r['mode'], r['file'], r['server']) == (mode, file, server))
            print(f"{mode:<10} {file:<9} {server:<13} {' '.join(f'{x:,.0f}' for x in rps):<30}"
                  f" {statistics.median(rps) / nginx:6.2f} {statistics.median(pick(server, 'cpu_us_per_req')):11.1f}"
                  f" {statistics.median(pick(server, 'wrk_cpu_us_per_req')):15.1f}"
                  f" {' '.join(f'{x:.1f}' for x in pick(server, 'other_cores')):>16} {errors:6d}")
print("ratio = median req/s / nginx's median req/s. CPU per request: medians over the rounds of user +"
      " system time / requests; the server's (nginx: master and workers) and wrk's own. other cores: what"
      " other processes used during each round's measurement.")
PY
echo "$(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds; nginx worker_processes $NGINX_WORKERS;" \
  "peer on $("${JAVA:-java}" -version 2>&1 | head -1)" | tee -a "$OUT/summary.txt"
