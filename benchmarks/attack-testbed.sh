#!/usr/bin/env bash
# The attack-absorption testbed: the bookstore defended by XenoService on a shaped network of
# namespaces, flooded twice (XenoService off, then on), with customers browsing and ordering.
#
# Usage (root):
#   benchmarks/attack-testbed.sh              # calm 20 s, flood 60 s, calm 30 s, per run; about 6 minutes
#   benchmarks/attack-testbed.sh --short      # calm 8 s, flood 20 s, calm 7 s, per run; about 2 minutes
#   benchmarks/attack-testbed.sh --selftest   # network only: build, check reachability and shaping, tear down
#   benchmarks/attack-testbed.sh --cleanup    # remove whatever a killed run left behind
# Options: --calm S, --flood S, --after S, --runs off,on (or one of them), --skip-build,
# --attacker follow-dns|resolve-once (follow-dns: the bots honour the TTL and follow the peers, the
# default; resolve-once: they resolve the name once and flood the origin's address throughout),
# --customer-kinds real|ttl (real: the four kinds of customer of the demo in their shares, the
# default; ttl: every customer honours the TTL), --customer-dns-cache S (every customer keeps each
# DNS answer at least S seconds; 0, the default: its kind's rule alone).
# Environment: ORIGIN_RATE (10mbit), PEER_RATE (10mbit), DNS_RATE (10mbit), CUSTOMER_RATE (100mbit),
# ATTACKER_RATE (1gbit), DELAY (3ms per link direction, where the kernel has netem), QUEUE (packets
# per link, 300), WORKERS (4) and COST_MS (100): the origin's capacity, QUEUE_LEN (32), FLOOD_FACTOR
# (20: the flood's rate as a multiple of the origin's capacity), CUSTOMERS (10), COOL_DOWN_S (60),
# DRAIN_QUIET_S (30) and MAX_DRAIN_S (600): replication.drain-quiet-seconds and max-drain-seconds,
# DIRECT_BUDGET (300000: the origin's sheltered-direct-bytes-per-second; 0 for none),
# BOTS (400: the flood's connections at most, one request at a time each), REQUESTS_PER_CONNECTION
# (10: flood requests per connection on average, each connection a full TLS handshake; 1 for one
# handshake per request).
#
# Everything is HTTPS, as browsers see the site: the origin serves https://www.books.example/ with a
# certificate from the testbed's own CA (made here with openssl), the peers with certificates the
# origin's replicator orders for them from pebble (an ACME CA, in xt-dns, checking DNS-01 challenges
# against the testbed's BIND), and the clients trust those two roots and nothing else.
#
# Topology: one bridge in a namespace of its own (xt-sw); each host is a namespace (xt-origin,
# xt-peer1..3, xt-dns, xt-attacker, xt-customers) joined to it by a veth pair, on 10.77.0.0/24.
# Both directions of every host's link are shaped (htb rate + netem delay) on its two veth ends.
# Nothing touches the root namespace's interfaces; everything is removed on exit, even on ^C.
set -euo pipefail
export LANG=C.UTF-8

repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/benchmarks/target/attack"
P=xt                       # prefix of every namespace this script makes
SW="$P-sw"
SUBNET=10.77.0
declare -A ADDR=([origin]=10 [peer1]=11 [peer2]=12 [peer3]=13 [dns]=53 [customers]=20 [attacker]=66)
HOSTS=(origin peer1 peer2 peer3 dns customers attacker)
ORIGIN_RATE=${ORIGIN_RATE:-10mbit}
PEER_RATE=${PEER_RATE:-10mbit}
DNS_RATE=${DNS_RATE:-10mbit}
CUSTOMER_RATE=${CUSTOMER_RATE:-100mbit}
ATTACKER_RATE=${ATTACKER_RATE:-1gbit}
DELAY=${DELAY:-3ms}
QUEUE=${QUEUE:-300}
FLOOD_FACTOR=${FLOOD_FACTOR:-20}
CUSTOMERS=${CUSTOMERS:-10}         # a multiple of 5 gives each kind of customer its exact share
WORKERS=${WORKERS:-4}          # the origin's capacity: WORKERS / COST_MS requests per second
COST_MS=${COST_MS:-100}
QUEUE_LEN=${QUEUE_LEN:-32}
ORIGIN_CAPACITY=$((WORKERS * 1000 / COST_MS))
flood_rate=$((ORIGIN_CAPACITY * FLOOD_FACTOR))
ORDER_PATH=/order
ORDER_BODY='book={book}&email=customer{customer}@example.org&quantity=1&order-id={id}'
PAGES='' BOOKS=''
origin_pid=
SITE=www.books.example
ZONE=books.example
TTL=2
PORT=80
HTTPS_PORT=443
CONTROL_PORT=8081
ACME_PORT=14000          # pebble's ACME API, on the DNS host
ACME_MANAGEMENT_PORT=15000
REQUESTS_PER_CONNECTION=${REQUESTS_PER_CONNECTION:-10}
DRAIN_QUIET_S=${DRAIN_QUIET_S:-30}   # a withdrawn peer retires once it has served nobody this long
MAX_DRAIN_S=${MAX_DRAIN_S:-600}      # or after this long; a retired peer then forwards to the origin
# sheltered-direct-bytes-per-second: about a quarter of the origin's 10 Mbit/s upstream (0: no budget)
DIRECT_BUDGET=${DIRECT_BUDGET:-300000}
BOTS=${BOTS:-400}

mode=full calm=20 flood=60 after=30 runs=off,on skip_build=0 cool_down=
attacker=follow-dns customer_kinds=real customer_dns_cache=0
while (($#)); do
  case "$1" in
    --short) mode=short calm=8 flood=20 after=7 cool_down=${COOL_DOWN_S:-20} ;;
    --selftest) mode=selftest ;;
    --cleanup) mode=cleanup ;;
    --calm) calm=$2; shift ;;
    --flood) flood=$2; shift ;;
    --after) after=$2; shift ;;
    --runs) runs=$2; shift ;;
    --attacker) attacker=$2; shift ;;
    --customer-kinds) customer_kinds=$2; shift ;;
    --customer-dns-cache) customer_dns_cache=$2; shift ;;
    --skip-build) skip_build=1 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

case "$attacker" in follow-dns|resolve-once) ;; *) echo "--attacker takes follow-dns or resolve-once, not '$attacker'" >&2; exit 2 ;; esac
case "$customer_kinds" in real|ttl) ;; *) echo "--customer-kinds takes real or ttl, not '$customer_kinds'" >&2; exit 2 ;; esac
[[ $customer_dns_cache =~ ^[0-9]+$ ]] || { echo "--customer-dns-cache takes whole seconds (0 or more), not '$customer_dns_cache'" >&2; exit 2; }

# How long the detector must stay calm before the peers leave DNS. Once the origin is out of DNS its
# own load falls, so a cool-down shorter than the flood brings it back into the name mid-flood.
COOL_DOWN_S=${cool_down:-${COOL_DOWN_S:-60}}

log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
die() { echo "attack-testbed: $*" >&2; exit 1; }
rate_of() {
  case "$1" in
    origin) echo "$ORIGIN_RATE" ;; peer*) echo "$PEER_RATE" ;; dns) echo "$DNS_RATE" ;;
    customers) echo "$CUSTOMER_RATE" ;; attacker) echo "$ATTACKER_RATE" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Teardown: idempotent, run at start (leftovers of a killed run) and on every exit.

our_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$P-" || true; }

kill_namespace_processes() {
  local ns=$1 pids
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [[ -z "$pids" ]] && return 0
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 1 50); do                 # at most 5 s, then KILL
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -z "$pids" ]] && return 0
    sleep 0.1
  done
  kill -KILL $pids 2>/dev/null || true
  sleep 0.2
}

cleanup() {
  local ns
  for ns in $(our_namespaces); do
    kill_namespace_processes "$ns"
  done
  for ns in $(our_namespaces); do
    ip netns del "$ns" 2>/dev/null || true   # deleting a namespace deletes its veth ends and the bridge
  done
  rm -rf /etc/netns/"$P"-* 2>/dev/null || true
  if [[ -n "$(our_namespaces)" ]]; then
    echo "attack-testbed: could not remove: $(our_namespaces | tr '\n' ' ')" >&2
    return 1
  fi
}

on_exit() {
  local status=$?
  trap - EXIT INT TERM
  cleanup || status=1
  exit "$status"
}

# ---------------------------------------------------------------------------------------------
# Network

need_tools() {
  local tool missing=()
  for tool in ip tc "$@"; do
    command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (Debian: apt-get install iproute2 bind9 python3 openjdk-17-jdk-headless)"
  [[ $EUID -eq 0 ]] || die "must run as root (network namespaces)"
}

# shape NS DEV RATE: htb at RATE, then netem delay DELAY with a queue of QUEUE packets, or a
# plain FIFO of QUEUE packets where the kernel has no netem (CONFIG_NET_SCH_NETEM is off on some VMs)
NETEM=unknown
shape() {
  local ns=$1 dev=$2 rate=$3
  tc -n "$ns" qdisc replace dev "$dev" root handle 1: htb default 10
  tc -n "$ns" class add dev "$dev" parent 1: classid 1:10 htb rate "$rate" ceil "$rate" quantum 60000
  if [[ $NETEM != no ]] && tc -n "$ns" qdisc add dev "$dev" parent 1:10 handle 10: netem delay "$DELAY" \
      limit "$QUEUE" 2>/dev/null; then
    NETEM=yes
  else
    [[ $NETEM == unknown ]] && log "network: this kernel has no netem; links get no added delay (DELAY ignored)"
    NETEM=no
    tc -n "$ns" qdisc add dev "$dev" parent 1:10 handle 10: pfifo limit "$QUEUE"
  fi
}

setup_network() {
  local host ns
  log "network: bridge in $SW, hosts ${HOSTS[*]} on $SUBNET.0/24 (origin $ORIGIN_RATE, peers $PEER_RATE, delay $DELAY each way per hop)"
  ip netns add "$SW"
  ip -n "$SW" link set lo up
  ip -n "$SW" link add br0 type bridge
  ip -n "$SW" link set br0 up
  for host in "${HOSTS[@]}"; do
    ns="$P-$host"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # The veth pair is made inside the two namespaces: the root namespace never sees it.
    ip link add eth0 netns "$ns" type veth peer name "v-$host" netns "$SW"
    ip -n "$SW" link set "v-$host" master br0
    ip -n "$SW" link set "v-$host" up
    ip -n "$ns" addr add "$SUBNET.${ADDR[$host]}/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip netns exec "$ns" sysctl -qw net.ipv4.tcp_syncookies=1 net.core.somaxconn=4096 \
      net.ipv4.ip_local_port_range="10000 65000"
    shape "$ns" eth0 "$(rate_of "$host")"          # the host's upload
    shape "$SW" "v-$host" "$(rate_of "$host")"     # the host's download
  done
}

# icmp_ping ADDRESS: one ICMP echo from the current namespace, answered within 2 s (no ping binary needed)
ICMP_PING='
import os, socket, struct, sys, time
def checksum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
ident = os.getpid() & 0xffff
packet = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"xenoservice"
packet = packet[:2] + struct.pack("!H", checksum(packet + b"\0")) + packet[4:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); s.settimeout(2)
s.sendto(packet, (sys.argv[1], 0)); end = time.monotonic() + 2
while time.monotonic() < end:
    data, peer = s.recvfrom(2048)
    if peer[0] == sys.argv[1] and data[20] == 0 and struct.unpack("!H", data[24:26])[0] == ident:
        sys.exit(0)
sys.exit(1)'
# reach FROM TO: one ping, at most 3 s
reach() { timeout 3 ip netns exec "$P-$1" python3 -c "$ICMP_PING" "$SUBNET.${ADDR[$2]}" 2>/dev/null; }

# throughput FROM TO SECONDS: bytes per second of one bulk TCP transfer (at most SECONDS + 5 s)
throughput() {
  local from=$1 to=$2 seconds=$3 file
  file=$(mktemp)
  timeout $((seconds + 10)) ip netns exec "$P-$to" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5001)); s.listen(1); s.settimeout(10)
c, _ = s.accept(); c.settimeout(5); total = 0; start = None
while True:
    b = c.recv(1 << 16)
    if not b: break
    if start is None: start = time.monotonic()
    total += len(b)
print(int(total / max(time.monotonic() - start, 1e-3)))' "$SUBNET.${ADDR[$to]}" >"$file" &
  local sink=$!
  sleep 0.5
  timeout $((seconds + 5)) ip netns exec "$P-$from" python3 -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], 5001), timeout=5); chunk = b"x" * 65536
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end: s.sendall(chunk)
s.close()' "$SUBNET.${ADDR[$to]}" "$seconds" || true
  wait "$sink" || true
  cat "$file"
  rm -f "$file"
}

# bits per second of a tc rate such as 10mbit
rate_bits() {
  local r=${1,,}
  case "$r" in
    *gbit) echo $(( ${r%gbit} * 1000000000 )) ;; *mbit) echo $(( ${r%mbit} * 1000000 )) ;;
    *kbit) echo $(( ${r%kbit} * 1000 )) ;; *) echo "${r%bit}" ;;
  esac
}

selftest() {
  need_tools python3 timeout
  cleanup
  trap on_exit EXIT INT TERM
  setup_network
  local host count=0
  for host in "${HOSTS[@]}"; do
    [[ $host == customers ]] && continue
    reach customers "$host" || die "selftest: customers cannot reach $host ($SUBNET.${ADDR[$host]})"
    reach attacker "$host" || die "selftest: attacker cannot reach $host"
    count=$((count + 2))
  done
  reach origin peer1 || die "selftest: origin cannot reach peer1"
  log "selftest: $((count + 1)) pings answered"
  # Nothing leaks out: the root namespace cannot reach the testbed's addresses.
  if timeout 3 python3 -c "$ICMP_PING" "$SUBNET.${ADDR[origin]}" 2>/dev/null; then
    die "selftest: the root namespace reaches $SUBNET.${ADDR[origin]}: the testbed is not isolated"
  fi
  local bytes expected
  bytes=$(throughput origin customers 3)
  [[ -n "$bytes" ]] || die "selftest: the bulk transfer origin -> customers failed"
  expected=$(( $(rate_bits "$ORIGIN_RATE") / 8 ))
  log "selftest: origin -> customers carried $((bytes * 8 / 1000)) kbit/s over a $ORIGIN_RATE link"
  # TCP gets 60-105 % of the shaped rate; far more means the shaping is not in place.
  (( bytes >= expected * 60 / 100 && bytes <= expected * 105 / 100 )) \
    || die "selftest: $((bytes * 8)) bit/s is not within 60-105 % of $ORIGIN_RATE"
  cleanup
  [[ -z "$(our_namespaces)" ]] || die "selftest: namespaces left after teardown: $(our_namespaces)"
  log "selftest: torn down, no namespace left"
  echo "SELFTEST OK"
}

# ---------------------------------------------------------------------------------------------
# The scenario

JAVA_OPTS=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k)
# The attacker is the load generator, not the system under test: the full JIT nearly halves the CPU
# a TLS handshake costs it (C1 alone leaves the EC code slow). Its GC log shows the pauses that stall every bot.
ATTACKER_JAVA_OPTS=(-XX:+UseSerialGC -Xss512k)
xeno_jar="$repo/xenoservice-peer/target/xenoservice.jar"
bench_jar="$repo/benchmarks/target/benchmarks.jar"

# in HOST COMMAND...: runs COMMAND in HOST's namespace, in the background, output to HOST.log of the run
in_ns() {
  local host=$1; shift
  ip netns exec "$P-$host" "$@" >>"$run_dir/$host.log" 2>&1 &
}

# wait_for WHAT SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds, at most SECONDS
wait_for() {
  local what=$1 seconds=$2 deadline; shift 2
  deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what did not come up within ${seconds} s (logs: $run_dir)"
    sleep 0.2
  done
}

# http_up HOST ADDRESS PORT: an HTTP answer (any status) from ADDRESS:PORT, asked from HOST's namespace
http_up() {
  ip netns exec "$P-$1" curl -s -o /dev/null -m 2 -H "Host: $SITE" "http://$2:$3/"
}

prepare() {
  need_tools java python3 curl named timeout openssl pebble
  if ((skip_build == 0)) || [[ ! -f $xeno_jar || ! -f $bench_jar ]]; then
    log "building the CLI and benchmarks jars"
    (cd "$repo" && mvn -B -ntp -q -pl xenoservice-peer,benchmarks -am package -DskipTests -Djazzer.skip)
  fi
  rm -rf "$out"
  mkdir -p "$out/keys"
  java -jar "$xeno_jar" keys generate --out "$out/keys" >/dev/null
  printf 'hmac-sha256:xeno-books:%s\n' "$(head -c 32 /dev/urandom | base64 -w0)" >"$out/keys/tsig.key"
  chmod 600 "$out/keys/tsig.key"
  make_testbed_ca
}

# make_testbed_ca: the testbed's own CA, shaped like pebble's (an RSA 2048 root and intermediate):
# it signs the origin's certificate (EC P-256, as the peers' keys) and pebble's API certificate.
make_testbed_ca() {
  local d="$out/ca"
  mkdir -p "$d"
  (
    cd "$d"
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root.key
    openssl req -x509 -new -key root.key -subj "/CN=XenoService testbed root" -days 30 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out intermediate.key
    openssl req -new -key intermediate.key -subj "/CN=XenoService testbed intermediate" -out intermediate.csr
    printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >ca.ext
    openssl x509 -req -in intermediate.csr -CA root.pem -CAkey root.key -set_serial "0x$(openssl rand -hex 16)" \
      -days 30 -sha256 -extfile ca.ext -out intermediate.pem 2>/dev/null
    leaf origin "DNS:$SITE"
    leaf acme-api "IP:$SUBNET.${ADDR[dns]}"
  )
  chmod 600 "$d"/*.key
}

# leaf NAME SUBJECT_ALT_NAMES: NAME.key (EC P-256, PKCS#8) and NAME-chain.pem (leaf, intermediate), in the CA's folder
leaf() {
  openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$1.testbed" -out "$1.csr"
  printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
    "$2" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA intermediate.pem -CAkey intermediate.key -set_serial "0x$(openssl rand -hex 16)" \
    -days 30 -sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  cat "$1.pem" intermediate.pem >"$1-chain.pem"
}

start_dns() {
  local d="$run_dir/dns" secret
  mkdir -p "$d"
  secret=$(cut -d: -f3 "$out/keys/tsig.key")
  cat >"$d/$ZONE.db" <<ZONEFILE
\$TTL 300
@ IN SOA ns.$ZONE. hostmaster.$ZONE. 1 60 60 600 30
@ IN NS ns.$ZONE.
ns IN A $SUBNET.${ADDR[dns]}
www $TTL IN A $SUBNET.${ADDR[origin]}
ZONEFILE
  cat >"$d/named.conf" <<CONF
options {
  directory "$d"; pid-file "$d/named.pid"; session-keyfile "$d/session.key";
  managed-keys-directory "$d";
  listen-on port 53 { $SUBNET.${ADDR[dns]}; }; listen-on-v6 { none; };
  recursion no; dnssec-validation no; notify no; allow-query { any; };
};
controls { };
key "xeno-books" { algorithm hmac-sha256; secret "$secret"; };
zone "$ZONE" {
  type primary; file "$d/$ZONE.db";
  update-policy {
    grant xeno-books name $SITE. A AAAA;
    grant xeno-books name _acme-challenge.$SITE. TXT;
  };
};
CONF
  in_ns dns named -g -4 -n 1 -c "$d/named.conf"
  wait_for "named" 20 ip netns exec "$P-customers" dig +short +time=1 +tries=1 @"$SUBNET.${ADDR[dns]}" "$SITE" A
}

# start_acme: pebble (an ACME CA) on the DNS host, checking DNS-01 challenges against the testbed's
# BIND, its API served with a certificate from the testbed CA for its address; then the clients'
# trust file: the testbed CA's root and the root pebble issues under (a new one each start).
start_acme() {
  local d="$run_dir/acme" api="https://$SUBNET.${ADDR[dns]}"
  mkdir -p "$d"
  cat >"$d/pebble.json" <<JSON
{
  "pebble": {
    "listenAddress": "$SUBNET.${ADDR[dns]}:$ACME_PORT",
    "managementListenAddress": "$SUBNET.${ADDR[dns]}:$ACME_MANAGEMENT_PORT",
    "certificate": "$out/ca/acme-api-chain.pem",
    "privateKey": "$out/ca/acme-api.key",
    "httpPort": 5002,
    "tlsPort": 5001,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
JSON
  ip netns exec "$P-dns" env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
    pebble -config "$d/pebble.json" -dnsserver "$SUBNET.${ADDR[dns]}:53" >>"$run_dir/pebble.log" 2>&1 &
  wait_for "pebble" 30 ip netns exec "$P-origin" curl -sf -m 2 --cacert "$out/ca/root.pem" "$api:$ACME_PORT/dir"
  ip netns exec "$P-origin" curl -sf -m 5 --cacert "$out/ca/root.pem" "$api:$ACME_MANAGEMENT_PORT/roots/0" \
    -o "$d/issuing-root.pem" || die "pebble's /roots/0 did not answer (logs: $run_dir)"
  cat "$out/ca/root.pem" "$d/issuing-root.pem" >"$run_dir/trust.pem"
}

# CPU_SAMPLER HOSTS UNTIL PREFIX: once a second until UNTIL (epoch ms), the CPU time used so far by the
# processes of each host's namespace and by the whole machine (ms), and the load average, as CSV
CPU_SAMPLER='
import os, sys, time
hosts, until, prefix = sys.argv[1].split(","), int(sys.argv[2]) / 1000, sys.argv[3]
inode = {os.stat("/run/netns/%s-%s" % (prefix, h)).st_ino: h for h in hosts}
tick = 1000 / os.sysconf("SC_CLK_TCK")
print("epochMillis," + ",".join(hosts) + ",machineBusy,machineAll,load1", flush=True)
while time.time() < until:
    used = dict.fromkeys(hosts, 0)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            host = inode.get(os.stat("/proc/%s/ns/net" % pid).st_ino)
            if host:
                with open("/proc/%s/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                used[host] += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    with open("/proc/stat") as f:
        cpu = [int(v) for v in f.readline().split()[1:9]]  # user .. steal (guest time is in user already)
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    idle = cpu[3] + cpu[4]
    print("%d,%s,%d,%d,%s" % (time.time() * 1000, ",".join("%d" % (used[h] * tick) for h in hosts),
                              (sum(cpu) - idle) * tick, sum(cpu) * tick, load), flush=True)
    time.sleep(1)'

# https_ok ADDRESS: an HTTPS answer (any status: a peer serves the site only once activated) from
# ADDRESS, its certificate checked against the clients' trust file and the site's name by curl
https_ok() {
  ip netns exec "$P-customers" curl -s -o /dev/null -m 5 --cacert "$run_dir/trust.pem" \
    --resolve "$SITE:$HTTPS_PORT:$1" "https://$SITE:$HTTPS_PORT/"
}

start_peers() {
  local i host d
  for i in 1 2 3; do
    host=peer$i d="$run_dir/$host"
    mkdir -p "$d/store"
    cat >"$d/peer.properties" <<PROPS
serving-port = $PORT
https-port = $HTTPS_PORT
control-port = $CONTROL_PORT
bind-address = $SUBNET.${ADDR[$host]}
store-directory = store
site.$SITE.key = $out/keys/site.pub
site.$SITE.requests-per-second = 1000000
# the testbed's bots share a few addresses; real bots do not, so the cap per address stays out of the way
max-connections-per-address = 4096
site.$SITE.allowed-origins = http://$SUBNET.${ADDR[origin]}:$PORT
PROPS
    in_ns "$host" java "${JAVA_OPTS[@]}" -Xmx256m -jar "$xeno_jar" peer serve --config "$d/peer.properties"
  done
  for i in 1 2 3; do
    wait_for "peer$i" 40 http_up customers "$SUBNET.${ADDR[peer$i]}" "$PORT"
  done
}

# start_origin RUN CONFIG: the bookstore with XenoService in the origin's namespace; waits until it
# answers and (with peers) every peer holds the bundle; sets PAGES and BOOKS from the generated site
start_origin() {
  local d="$run_dir/origin" until started
  until=$(( $(date +%s%3N) + (180 + calm + flood + after) * 1000 ))
  in_ns origin java "${JAVA_OPTS[@]}" -Xmx512m -cp "$bench_jar" org.xenoservice.benchmarks.attack.AttackOrigin \
    --xeno-config "$2" --site-dir "$d/site" --state "$d/state" --bind "$SUBNET.${ADDR[origin]}" --port "$PORT" \
    --https-port "$HTTPS_PORT" --tls-chain "$out/ca/origin-chain.pem" --tls-key "$out/ca/origin.key" \
    --workers "$WORKERS" --cost-ms "$COST_MS" --queue "$QUEUE_LEN" --events "$run_dir/events.csv" \
    --ready "$d/ready" --stop "$d/stop" --orders-out "$run_dir/orders.txt" --until "$until"
  origin_pid=$!
  wait_for "the origin" 60 http_up customers "$SUBNET.${ADDR[origin]}" "$PORT"
  started=$SECONDS
  wait_for "the origin's peers to hold the bundle and their certificates" 150 test -f "$d/ready"
  log "run '$1': peers ready (bundle staged, certificates installed) $((SECONDS - started)) s after the origin answered"
  local host
  for host in origin $([[ $1 == on ]] && echo peer1 peer2 peer3); do
    https_ok "$SUBNET.${ADDR[$host]}" || die "$host does not serve https://$SITE/ with a certificate the clients trust"
  done
  local books
  books=$(cd "$d/site/books" && ls -- *.html | sort | sed -n "1,20p")
  # The front page and 20 book pages (1.6-4.4 KB); not prices.html (75 KB), which would make this a
  # bandwidth flood of the peers' links rather than a request flood of the origin.
  PAGES="/$(printf ',/books/%s' $books)"
  BOOKS=$(printf '%s\n' $books | sed 's/\.html$//' | paste -sd, -)
}

# stop_origin: lets the origin record its last orders and exit (it stops itself at 'until'; TERM after 40 s)
stop_origin() {
  [[ -n $origin_pid ]] || return 0
  touch "$run_dir/origin/stop"
  timeout 40 bash -c "while kill -0 $origin_pid 2>/dev/null; do sleep 0.2; done" || kill -TERM "$origin_pid" 2>/dev/null || true
  origin_pid=''
}

# origin_config ON: the XenoService properties of the origin; without peers and DNS when off
origin_config() {
  local file="$run_dir/origin/xeno.properties" i
  mkdir -p "$run_dir/origin"
  cat >"$file" <<PROPS
site = $SITE
site-key = $out/keys/site.key
state-directory = $run_dir/origin/state
back-channel = http://$SUBNET.${ADDR[origin]}:$PORT
replication.cool-down-seconds = $COOL_DOWN_S
replication.drain-quiet-seconds = $DRAIN_QUIET_S
replication.max-drain-seconds = $MAX_DRAIN_S
replication.wave-interval-ms = 500
sheltered-direct-bytes-per-second = $DIRECT_BUDGET
overload.warmup-seconds = 5
overload.warmup-requests = 30
overload.recovery-seconds = 5
overload.min-surge-rate-per-second = $((ORIGIN_CAPACITY * 3 / 4))
PROPS
  if [[ $1 == on ]]; then
    for i in 1 2 3; do
      printf 'peer.p%s.control-url = http://%s:%s\npeer.p%s.addresses = %s\n' "$i" "$SUBNET.${ADDR[peer$i]}" \
        "$CONTROL_PORT" "$i" "$SUBNET.${ADDR[peer$i]}" >>"$file"
      # the peer's own identity (made on its first start): the origin trusts only what this key signed
      printf 'peer.p%s.public-key = %s\n' "$i" \
        "$(sed '1d;$d' "$run_dir/peer$i/store/identity/peer.pub" | tr -d '\n')" >>"$file"
    done
    cat >>"$file" <<PROPS
dns.servers = $SUBNET.${ADDR[dns]}:53
dns.zone = $ZONE
dns.tsig-file = $out/keys/tsig.key
dns.ttl-seconds = $TTL
dns.origin-addresses = $SUBNET.${ADDR[origin]}
dns.shelter-origin = true
acme.directory = https://$SUBNET.${ADDR[dns]}:$ACME_PORT/dir
acme.trust-file = $out/ca/root.pem
PROPS
  fi
  echo "$file"
}

run_once() {
  local name=$1 t0 flood_from flood_until end
  run_dir="$out/$name"
  mkdir -p "$run_dir"
  log "run '$name': network"
  setup_network
  start_dns
  start_acme
  start_peers
  log "run '$name': origin (XenoService $name)"
  start_origin "$name" "$(origin_config "$name")"
  t0=$(( $(date +%s%3N) + 3000 ))
  flood_from=$((t0 + calm * 1000))
  flood_until=$((flood_from + flood * 1000))
  end=$((flood_until + after * 1000))
  printf '{"run":"%s","t0":%s,"floodFrom":%s,"floodUntil":%s,"end":%s,"originCapacityPerSecond":%s,"floodRate":%s,"customers":%s,"originRate":"%s","peerRate":"%s","netem":"%s","originAddress":"%s","scheme":"https","attackerConnections":%s,"attackerRequestsPerConnection":%s,"attacker":"%s","customerKinds":"%s","customerDnsCacheSeconds":%s}\n' \
    "$name" "$t0" "$flood_from" "$flood_until" "$end" "$ORIGIN_CAPACITY" "$flood_rate" "$CUSTOMERS" \
    "$ORIGIN_RATE" "$PEER_RATE" "$NETEM" "$SUBNET.${ADDR[origin]}" "$BOTS" "$REQUESTS_PER_CONNECTION" \
    "$attacker" "$customer_kinds" "$customer_dns_cache" >"$run_dir/run.json"
  in_ns customers java "${JAVA_OPTS[@]}" -Xmx256m -cp "$bench_jar" org.xenoservice.benchmarks.attack.Customers \
    --dns "$SUBNET.${ADDR[dns]}" --site "$SITE" --trust "$run_dir/trust.pem" --port "$HTTPS_PORT" --customers "$CUSTOMERS" \
    --pages "$PAGES" --books "$BOOKS" --order-body "$ORDER_BODY" --order-path "$ORDER_PATH" \
    --customer-kinds "$customer_kinds" --customer-dns-cache "$customer_dns_cache" \
    --from "$t0" --until "$end" --log "$run_dir/customers.csv"
  local customers_pid=$!
  in_ns attacker java "${ATTACKER_JAVA_OPTS[@]}" -Xlog:gc:file="$run_dir/attacker-gc.log" -Xmx512m -cp "$bench_jar" org.xenoservice.benchmarks.attack.Attacker \
    --dns "$SUBNET.${ADDR[dns]}" --site "$SITE" --trust "$run_dir/trust.pem" --port "$HTTPS_PORT" \
    --resolve "$([[ $attacker == resolve-once ]] && echo once || echo follow-dns)" \
    --max-in-flight "$BOTS" --requests-per-connection "$REQUESTS_PER_CONNECTION" --paths "$PAGES" --rate "$flood_rate" \
    --from "$flood_from" --until "$flood_until" --log "$run_dir/attacker.csv"
  local attacker_pid=$!
  timeout $(( (end - $(date +%s%3N)) / 1000 + 90 )) python3 -c "$CPU_SAMPLER" "$(IFS=,; echo "${HOSTS[*]}")" "$end" "$P" \
    >"$run_dir/cpu.csv" 2>>"$run_dir/cpu.log" &
  log "run '$name': calm ${calm}s, flood ${flood}s at $flood_rate req/s (${FLOOD_FACTOR}x the origin's $ORIGIN_CAPACITY req/s), calm ${after}s"
  # Bounded: the clients stop themselves at 'end'; a stuck one is killed 60 s later.
  local deadline=$(( (end - $(date +%s%3N)) / 1000 + 60 ))
  timeout "$deadline" bash -c "while kill -0 $customers_pid 2>/dev/null || kill -0 $attacker_pid 2>/dev/null; do sleep 0.5; done" \
    || log "run '$name': a client overran; stopping it"
  stop_origin
  cleanup
}

case "$mode" in
  cleanup) need_tools; cleanup; echo "clean"; exit 0 ;;
  selftest) selftest; exit 0 ;;
esac

prepare
cleanup
trap on_exit EXIT INT TERM

IFS=, read -ra run_names <<<"$runs"
log "origin: $WORKERS workers x ${COST_MS} ms = $ORIGIN_CAPACITY req/s, queue $QUEUE_LEN; flood $flood_rate req/s ($attacker); $CUSTOMERS customers ($customer_kinds, DNS cache floor ${customer_dns_cache} s)"
for name in "${run_names[@]}"; do
  [[ $name == on || $name == off ]] || die "--runs takes off and/or on, not '$name'"
  run_once "$name"
done
java -cp "$bench_jar" org.xenoservice.benchmarks.attack.AttackReport "$out" "${run_names[@]}" | tee "$out/summary.txt"
log "report: $out/report.json, $out/timeline.png"
