#!/usr/bin/env bash
# The README's test command: sets up a fresh Debian/Ubuntu machine and runs every test.
#   1. installs the Debian packages the tests need that are missing (as root, or with sudo),
#   2. `npm ci` when node_modules is absent or older than package-lock.json,
#   3. `npm test` (type check, lint, format check, unit + conformance + end-to-end tests).
# Under CI (`CI` set) a tool that is still missing fails the run instead of skipping tests
# (e2e/helpers/requirements.ts); `.ci/run` calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real clients and tools of the end-to-end tests; requirements.ts names the same packages.
packages=(
  build-essential python3          # better-sqlite3 compiles from source; gcc for the libnfs C client
  libnfs-utils libnfs-dev          # nfs-ls / nfs-cp, and libnfs for the C client
  rpcbind iproute2                 # rpcinfo (NLM over UDP via the portmapper), ip for a test's own network namespace
  xfsprogs                         # an XFS loop filesystem: NFSv4.2 CLONE onto a folder share that can reflink
  smbclient                        # the SMB server's real-client tests
  samba-testsuite                  # smbtorture (Samba's SMB2 conformance suites)
  python3-impacket                 # malformed SMB2 packets (negative tests)
  chromium                         # the web UI tests (playwright-core, never a downloaded browser)
  postgresql                       # the PostgreSQL metadata store's tests (trust auth on 127.0.0.1, PEERS.md)
)
if [ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ]; then
  # The Linux kernel NFS client under qemu (../shared/tools/kernel-client).
  packages+=(qemu-system-x86 linux-image-cloud-amd64 busybox-static socat kmod cpio)
fi

install_missing_packages() {
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    echo "test-all: not a Debian/Ubuntu machine; install the equivalents of: ${packages[*]}" >&2
    return
  fi
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
      sudo=(sudo)
    else
      echo "test-all: missing Debian packages and no sudo: apt-get install ${missing[*]}" >&2
      return
    fi
  fi
  echo "test-all: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}"
}

install_missing_packages

# PostgreSQL: start the cluster if it is not running (containers have no systemd to do it).
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>/dev/null || true
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci
  touch node_modules
fi

npm test
