#!/usr/bin/env bash
# The bookstore as a Spring Boot app protected by the XenoService starter, in one command: builds it
# (first run only; XENO_REBUILD=1 rebuilds), makes the site key in target/bookstore/keys, and serves
# http://localhost:8080/ (search, order form, /actuator/health, /actuator/xenoservice) until Ctrl-C.
#
# Usage: samples/spring-bookstore/run.sh [Spring Boot arguments, e.g. --server.port=9090]
set -euo pipefail

module=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$module/../.." && pwd)
cd "$module"

if [[ "${XENO_REBUILD:-0}" == 1 || ! -f target/classes/static/index.html || ! -d target/lib \
      || ! -f "$repo/xenoservice-peer/target/xenoservice.jar" ]]; then
  echo "== building the bookstore and what it depends on (first run only)"
  (cd "$repo" && mvn -q -B -ntp -DskipTests -Djazzer.skip -pl samples/spring-bookstore -am package)
fi
if [[ ! -f target/bookstore/keys/site.key ]]; then
  java -jar "$repo/xenoservice-peer/target/xenoservice.jar" keys generate --out target/bookstore/keys
fi
exec java -cp "target/classes:target/lib/*" org.xenoservice.samples.spring.SpringBookstore "$@"
