#!/usr/bin/env bash
# Starts a Docker engine for the container suite when none answers (shared/reference/containers.md §6).
# Idempotent: an engine that answers is left alone. Otherwise installs Debian's docker.io and
# iptables when dockerd is missing and starts dockerd by hand (policy-rc.d forbids services from
# postinst here, and there is no systemd), with vfs storage and without the userland proxy, so a
# mapped port shows the kernel's answer (refused, unreachable, timeout) as the bridge IP does.
# Exit 0 when an engine answers; otherwise exit 1 with the reason on stderr.
# Env: DOCKERD_STORAGE_DRIVER (vfs | overlay2), DOCKER_SOCK, DOCKERD_LOG.
set -euo pipefail
here="$(dirname "$0")"
sock=${DOCKER_SOCK:-/var/run/docker.sock}
export DOCKER_HOST=unix://$sock
answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }
t0=$(date +%s%N)
answers && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "start-docker: no Docker engine answers at $sock and this user is not root, so none can be started here" >&2
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1 || ! command -v iptables >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  bash "$here/apt-install-missing.sh" start-docker dockerd:docker.io docker:docker.io iptables:iptables nsenter:util-linux ip:iproute2
fi
# cgroup hierarchies are mounted by the machine's init here; mount them where a machine lacks them.
if ! mountpoint -q /sys/fs/cgroup && ! [ -e /sys/fs/cgroup/cgroup.controllers ]; then
  command -v cgroupfs-mount >/dev/null 2>&1 || bash "$here/apt-install-missing.sh" start-docker cgroupfs-mount:cgroupfs-mount
  cgroupfs-mount
fi
# A machine handed back keeps a stale pidfile, and dockerd refuses to start over it.
pidf=/var/run/docker.pid
if [ -f "$pidf" ] && ! ps -p "$(cat "$pidf")" -o comm= 2>/dev/null | grep -q dockerd; then rm -f "$pidf"; fi
log=${DOCKERD_LOG:-/var/log/arr-lab-dockerd.log}
setsid nohup dockerd --storage-driver="${DOCKERD_STORAGE_DRIVER:-vfs}" --userland-proxy=false -H "unix://$sock" >"$log" 2>&1 </dev/null &
for _ in $(seq 1 150); do answers && break; sleep 0.2; done
if ! answers; then
  echo "start-docker: dockerd did not answer within 30 s; the end of its log ($log):" >&2
  tail -20 "$log" >&2
  exit 1
fi
echo "start-docker: dockerd $(docker version --format '{{.Server.Version}}') up in $(( ($(date +%s%N) - t0) / 1000000 )) ms (log $log)" >&2
