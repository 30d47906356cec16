#!/usr/bin/env bash
# Installs the Debian tools `npm run bench` drives when one is missing: wrk (the load generator),
# nginx-light (the reference reverse proxy) and prlimit (raises the open-file limit for the
# 10,000-request memory measurement). Idempotent: when all are present it touches nothing;
# otherwise one `apt-get update`, then only the missing packages. Needs root (or sudo).
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

# command:package pairs
tools=(wrk:wrk nginx:nginx-light prlimit:util-linux)

missing=()
for pair in "${tools[@]}"; do
  have "${pair%%:*}" || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "bench/install-tools: apt-get not found; install by hand: ${missing[*]}" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "bench/install-tools: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "bench: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

for pair in "${tools[@]}"; do
  have "${pair%%:*}" || { echo "bench/install-tools: ${pair%%:*} still missing" >&2; exit 1; }
done
