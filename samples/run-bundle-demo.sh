#!/usr/bin/env bash
# The signed-bundle round trip: the bookstore's static pages are packed
# into a signed bundle, verified as a peer would verify them, unpacked, changed, and shipped again
# as a delta that carries only what changed.
#
# Usage: samples/run-bundle-demo.sh            (from anywhere; builds the CLI jar when it is missing)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
jar="$repo/xenoservice-peer/target/xenoservice.jar"
work="$repo/samples/target/demo"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
xeno() { java -jar "$jar" "$@"; }

if [[ ! -f "$jar" ]]; then
  step "Building the xenoservice CLI (first run only)"
  (cd "$repo" && mvn -q -B -ntp -DskipTests -pl xenoservice-peer -am package)
fi

rm -rf "$work"
mkdir -p "$work"
cp -r "$repo/samples/site" "$work/site"

step "1. The shop makes its signing key (peers pin site.pub)"
xeno keys generate --out "$work/keys"

step "2. Bundle version 1 of books.example from samples/site"
xeno bundle build "$work/site" --site books.example --key "$work/keys/site.key" --version 1 \
  --out "$work/books-v1.xsb"

step "3. A peer verifies it against the pinned public key"
xeno bundle verify "$work/books-v1.xsb" --pub "$work/keys/site.pub" --site books.example

step "4. Unpacked, it is the same site, byte for byte"
xeno bundle extract "$work/books-v1.xsb" --pub "$work/keys/site.pub" --to "$work/extracted-v1"
diff -r "$work/site" "$work/extracted-v1" && echo "identical to samples/site"

step "5. A price changes; version 2 ships as a delta on version 1"
sed -i 's/£ 18,500/£ 17,900/' "$work/site/books/1726-gulliver.html"
xeno bundle build "$work/site" --site books.example --key "$work/keys/site.key" --version 2 \
  --base "$work/books-v1.xsb" --out "$work/books-v2-delta.xsb"
xeno bundle diff "$work/books-v1.xsb" "$work/books-v2-delta.xsb"
xeno bundle verify "$work/books-v2-delta.xsb" --pub "$work/keys/site.pub" --base "$work/books-v1.xsb"
ls -l "$work"/*.xsb

step "6. A forged bundle is refused: one flipped byte in the last blob"
cp "$work/books-v1.xsb" "$work/forged.xsb"
# Flip (XOR 0xff) one byte in the middle of the last blob's content, not in the tar padding.
offset=$(python3 - "$work/forged.xsb" <<'PY'
import sys, tarfile
path = sys.argv[1]
with tarfile.open(path) as t:
    last = t.getmembers()[-1]
    offset = last.offset_data + last.size // 2
with open(path, "r+b") as f:
    f.seek(offset)
    byte = f.read(1)[0]
    f.seek(offset)
    f.write(bytes([byte ^ 0xFF]))
print(offset)
PY
)
if xeno bundle verify "$work/forged.xsb" --pub "$work/keys/site.pub"; then
  echo "the forged bundle was accepted: this is a bug" >&2
  exit 1
fi
echo "refused, as it must be (byte $offset flipped)"

step "Done: files are in $work"
