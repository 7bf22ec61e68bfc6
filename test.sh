#!/usr/bin/env bash
# The test command README.md gives: installs what the tests need when it is missing, then runs
# every test (`mvn -B verify`: unit tests, tests against real BIND and pebble, real servlet containers, real
# peers, headless Chromium, and the attack testbed's network-namespace selftest).
#
# Usage: ./test.sh [extra Maven arguments, e.g. -pl xenoservice-core]
#
# As root on Debian it installs the missing Debian packages itself; otherwise it lists exactly
# which packages to install and stops before running anything.
set -euo pipefail
# Unicode file names: the JVM encodes paths with the locale's charset.
export LANG=C.UTF-8
cd "$(dirname "$0")"

# command (or absolute path) the tests need -> the Debian package that provides it
required=(
  "javac:openjdk-17-jdk-headless"      # JDK 17 or newer
  "mvn:maven"                          # Maven 3.8 or newer
  "tar:tar"                            # bundle round trips compare with GNU tar
  "gzip:gzip"
  "python3:python3"                    # the attack testbed's helpers
  "ip:iproute2"                        # the attack testbed's selftest: network namespaces
  "tc:iproute2"                        #   and shaped links
  "curl:curl"
  "/usr/sbin/named:bind9"              # DNS tests run a real BIND 9 on loopback
  "nsupdate:bind9-dnsutils"
  "/usr/bin/pebble:pebble"             # certificates come from a real ACME CA (pebble) checking DNS-01 on that BIND
  "/usr/bin/chromium:chromium"         # the demo's dashboard is checked in headless Chromium
  "/usr/bin/chromedriver:chromium-driver"
  "/usr/bin/certutil:libnss3-tools"    # the demo's peer page in Chromium trusts pebble's root from an NSS store
  "systemd-analyze:systemd"            # CI checks the peer host's unit file (systemd-analyze verify)
  "promtool:prometheus"                # /_xeno/metrics and the Micrometer scrape pass 'promtool check metrics'
)

missing=()
for entry in "${required[@]}"; do
  tool=${entry%%:*} package=${entry#*:}
  if [[ $tool == /* ]]; then [[ -x $tool ]] && continue; else command -v "$tool" >/dev/null 2>&1 && continue; fi
  [[ " ${missing[*]-} " == *" $package "* ]] || missing+=("$package")
done

if ((${#missing[@]})); then
  if [[ $(id -u) == 0 && -f /etc/debian_version ]]; then
    echo "== installing what the tests need: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "The tests need these Debian packages, which are missing here:" >&2
    echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    echo "(or the same tools from your system's packages), then run ./test.sh again." >&2
    exit 1
  fi
fi

java -version 2>&1 | sed -n 1p
mvn -v 2>&1 | sed -n 1p
exec mvn -B -ntp verify "$@"
