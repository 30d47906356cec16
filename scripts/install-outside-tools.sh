#!/usr/bin/env bash
# The third-party tools the outside checks run over the lab's artifacts
# (shared/reference/outside-checks.md): lnav, GoAccess, Webalizer, xmllint (libxml2-utils), xmlstarlet.
set -euo pipefail
exec bash "$(dirname "$0")/apt-install-missing.sh" install-outside-tools \
  lnav:lnav goaccess:goaccess webalizer:webalizer xmllint:libxml2-utils xmlstarlet:xmlstarlet
