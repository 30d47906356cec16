#!/usr/bin/env bash
# Installs the Debian packages whose commands are missing: `apt-install-missing.sh LABEL cmd:package...`.
# Idempotent: when every command is found it touches nothing; otherwise one `apt-get update`, then
# only the missing packages. Needs root (or sudo). Commands in /usr/sbin count as found.
set -euo pipefail

label=$1
shift
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

missing=()
for pair in "$@"; do
  have "${pair%%:*}" || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "$label: apt-get not found; install by hand: ${missing[*]}" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "$label: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "$label: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

for pair in "$@"; do
  have "${pair%%:*}" || { echo "$label: ${pair%%:*} still missing" >&2; exit 1; }
done
