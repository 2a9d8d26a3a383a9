#!/usr/bin/env bash
# Produces the reference fixtures that are too large to commit, by running the reference
# implementations themselves (Debian's python3-torch 1.13 / python3-torchvision 0.14).
# Each scripts/fixtures/*.py writes under fixtures/generated/; a script is re-run only when it
# changed since its last successful run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/fixtures/generated"
py=/usr/bin/python3   # Debian's interpreter: the torch packages are installed for it, not for pyenv's
if ! "$py" -c 'import torch, torchvision' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's python3-torchvision (reference implementation for fixtures)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torchvision python3-torch python3-numpy >/dev/null
  else
    echo "error: fixtures need Debian's python3-torchvision: sudo apt-get install python3-torchvision" >&2
    exit 2
  fi
fi
# Google's protobuf runtime lets a test read our TensorBoard files with an independent decoder
if ! "$py" -c 'import google.protobuf' 2>/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-protobuf >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-protobuf >/dev/null; } \
    || echo "note: python3-protobuf not installed; EventFileProtobufCrossCheckTest will be skipped"
fi
mkdir -p "$out/.stamps"
for script in "$root"/scripts/fixtures/*.py; do
  [ -e "$script" ] || continue
  name=$(basename "$script" .py)
  sum=$(sha256sum "$script" | cut -c1-16)
  stamp="$out/.stamps/$name"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then continue; fi
  echo "fixtures: $name"
  OMP_NUM_THREADS=2 "$py" "$script" "$out"
  echo "$sum" > "$stamp"
done
