#!/usr/bin/env bash
# The XenoService attack demo, in one command: a small shop on loopback behind XenoService, three
# peers, a local BIND, a local ACME CA (pebble), customers over HTTPS, a flood, and a live dashboard
# on http://localhost:8080/_xeno/.
#
# Usage: samples/run-demo.sh                      interactive: press the dashboard's buttons; Ctrl-C ends
#        samples/run-demo.sh --scripted           calm 15 s, flood 40 s, calm 30 s; writes
#                                                 samples/target/demo/report.json and timeline.png;
#                                                 exits non-zero if an order was lost or duplicated, or
#                                                 a customer's TLS handshake failed
#        samples/run-demo.sh --scripted --calm-seconds 5 --flood-seconds 15 --after-seconds 10
#        samples/run-demo.sh --http               plain HTTP, no certificates
#        samples/run-demo.sh --help               every flag
# Builds the samples when they are missing (XENO_DEMO_REBUILD=1 rebuilds), and installs bind9 and
# pebble when they are missing and this is Debian run as root. Elsewhere without named, DNS updates
# are printed; without pebble (or named), the demo says so and runs over plain HTTP.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
classes="$repo/samples/target/classes"
lib="$repo/samples/target/demo-lib"

if [[ "${XENO_DEMO_REBUILD:-0}" == 1 || ! -f "$classes/org/xenoservice/samples/demo/DemoMain.class" \
      || ! -d "$lib" ]]; then
  echo "== building the samples and what they depend on (first run only)"
  (cd "$repo" && mvn -q -B -ntp -DskipTests -Djazzer.skip -pl samples -am package)
fi

have_named() { [ -x /usr/sbin/named ] || command -v named >/dev/null 2>&1; }
have_pebble() { [ -x /usr/bin/pebble ] || command -v pebble >/dev/null 2>&1; }
missing=()
have_named || missing+=(bind9)
have_pebble || missing+=(pebble)
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 && -f /etc/debian_version ]]; then
    echo "== installing ${missing[*]}: the demo's DNS updates go to a real server (bind9), and its"
    echo "   certificates come from a real ACME CA (pebble, Let's Encrypt's test CA)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || echo "${missing[*]} could not be installed"
  fi
  have_named || echo "== named (BIND 9) is not installed: DNS updates will only be PRINTED (apt-get install bind9)"
  have_pebble || echo "== pebble is not installed: the demo runs over plain HTTP (apt-get install pebble for HTTPS)"
fi

cd "$repo"
exec java -Djdk.httpclient.allowRestrictedHeaders=host -Djava.awt.headless=true \
  -cp "$classes:$lib/*" org.xenoservice.samples.demo.DemoMain "$@"
