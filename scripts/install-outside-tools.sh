#!/usr/bin/env bash
# Installs the third-party tools the outside checks run over the lab's artifacts
# (shared/reference/outside-checks.md): lnav, GoAccess, Webalizer, xmllint, xmlstarlet.
# Idempotent: when every tool is already on PATH it touches nothing and returns at once;
# otherwise one `apt-get update`, then only the missing packages. Needs root (or sudo).
set -euo pipefail

# command:package pairs; xmllint comes from libxml2-utils.
tools=(lnav:lnav goaccess:goaccess webalizer:webalizer xmllint:libxml2-utils xmlstarlet:xmlstarlet)

missing=()
for pair in "${tools[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "outside-check tools present: lnav goaccess webalizer xmllint xmlstarlet"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-outside-tools: apt-get not found; install by hand: ${missing[*]}" >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "install-outside-tools: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "installing: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

for pair in "${tools[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || { echo "install-outside-tools: ${pair%%:*} still missing" >&2; exit 1; }
done
echo "outside-check tools installed: ${missing[*]}"
