#!/usr/bin/env bash
# Runs a command while two spinning processes keep both cores busy, as on a laptop doing other
# work: the lab's results must not change (docs/time.md). The spinners die with this script.
set -euo pipefail
spin() { node -e 'for (;;) {}' & }
spin; a=$!
spin; b=$!
trap 'kill "$a" "$b" 2>/dev/null || true' EXIT INT TERM
"$@"
