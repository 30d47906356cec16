#!/usr/bin/env bash
# The Debian tools `npm run bench` drives: wrk (the load generator), nginx-light (the reference
# reverse proxy) and prlimit (raises the open-file limit for the 10,000-request measurement).
set -euo pipefail
exec bash "$(dirname "$0")/../scripts/apt-install-missing.sh" bench/install-tools wrk:wrk nginx:nginx-light prlimit:util-linux
