#!/usr/bin/env bash
# Everything the test suite needs beyond npm packages, installed before `npm test` runs
# (npm's pretest hook), so `npm install && npm test` passes on a fresh machine. Each installer is
# idempotent and quiet when its tools are already there.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/install-outside-tools.sh"
