#!/usr/bin/env bash
# Everything the test suite needs beyond npm packages, installed before `npm test` runs
# (npm's pretest hook), so `npm install && npm test` passes on a fresh machine. Each installer is
# idempotent and quiet when its tools are already there.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/install-outside-tools.sh"
bash "$here/install-chromium.sh"
# The container suite needs a Docker engine. Where none can be had, everything else still runs and
# test/containers.test.ts says plainly that the container suite did not (in CI it fails instead).
if ! bash "$here/start-docker.sh"; then
  echo "setup-test-env: no Docker engine; the container suite will not run (see above)" >&2
  [ -z "${CI:-}" ] || exit 1
fi
