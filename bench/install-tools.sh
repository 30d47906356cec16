#!/usr/bin/env bash
# The Debian tools `npm run bench` drives: wrk (the load generator), nginx-light (the reference
# reverse proxy), prlimit (raises the open-file limit for the 10,000-request measurement) and
# hyperfine (times the CLI's start-up).
set -euo pipefail
exec bash "$(dirname "$0")/../scripts/apt-install-missing.sh" bench/install-tools wrk:wrk nginx:nginx-light prlimit:util-linux hyperfine:hyperfine
