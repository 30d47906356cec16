#!/usr/bin/env bash
# Debian's chromium for the dashboard's browser tests (test/live-browser.test.ts drives it through
# playwright-core; no browser is downloaded by npm). Idempotent: nothing happens when it is there.
set -euo pipefail
exec bash "$(dirname "$0")/apt-install-missing.sh" install-chromium chromium:chromium
