#!/usr/bin/env bash
# Set up a fresh machine for napi-ship: system toolchains for the cross-built test fixtures,
# the pinned pnpm, and the workspace's npm dependencies. Safe to run again (it skips what is there).
#
#   bash scripts/setup.sh            everything (what CI and the README's commands run)
#   NAPI_SHIP_SKIP_APT=1 bash ...    skip the Debian packages (no root, or already installed)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[2m› %s\033[0m\n' "$*" >&2; }

# Debian packages: cross C toolchains for real fixture binaries, file(1) for checks.
# libc6-dev-arm64-cross: the arm64 glibc headers, a recommend of gcc-aarch64-linux-gnu that
# --no-install-recommends leaves out (bench/run's linux-arm64-gnu fixture includes <stdio.h>).
apt_packages=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross musl-tools gcc-mingw-w64-x86-64 clang lld llvm qemu-user file)
if [ "${NAPI_SHIP_SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# Rust: the toolchain comes with the machine (rustup); clippy and rustfmt are components of it.
command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; exit 1; }
if ! cargo clippy --version >/dev/null 2>&1; then
  log "adding clippy"; rustup component add clippy
fi

# pnpm, pinned by package.json's packageManager. corepack cannot verify pnpm's signature against
# the registry served here, so install the exact version from npm instead (see docs/development.md).
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
have=$(pnpm --version 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  log "installing pnpm@$want (found: ${have:-none})"
  npm install -g "pnpm@$want" >/dev/null 2>&1
fi

# pnpm-workspace.yaml sets pmOnFail: ignore, so pnpm 12 does not try to record its own pin (and
# @pnpm/exe for every platform, which the registry reachable here does not publish) in the lockfile.
log "installing npm dependencies"
for attempt in 1 2 3; do
  if pnpm install --frozen-lockfile; then break; fi
  [ "$attempt" = 3 ] && exit 1
  log "pnpm install failed (attempt $attempt), retrying"; sleep 3
done

# Python: the official SPDX validators the SBOM tests run on every document they write —
# spdx-tools (`pyspdxtools`) and ntia-conformance-checker (`ntia-checker`) — pinned, in a venv
# under .cache/ (git-ignored). Reinstalled only when the pins change.
spdx_pins="spdx-tools==0.8.5 ntia-conformance-checker==6.0.0"
venv=.cache/venv
if [ "$(cat "$venv/.napi-ship-pins" 2>/dev/null)" != "$spdx_pins" ] || [ ! -x "$venv/bin/pyspdxtools" ] || [ ! -x "$venv/bin/ntia-checker" ]; then
  command -v python3 >/dev/null || { echo "python3 not found: the SPDX validators need Python 3.9+" >&2; exit 1; }
  log "installing the SPDX validators into $venv: $spdx_pins"
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  for attempt in 1 2 3; do
    # shellcheck disable=SC2086
    if "$venv/bin/pip" install --quiet --disable-pip-version-check $spdx_pins; then break; fi
    [ "$attempt" = 3 ] && exit 1
    log "pip install failed (attempt $attempt), retrying"; sleep 3
  done
  echo "$spdx_pins" > "$venv/.napi-ship-pins"
fi
