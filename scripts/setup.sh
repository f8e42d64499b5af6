#!/usr/bin/env bash
# Set up a fresh machine for napi-ship: system toolchains for the cross-built test fixtures,
# the pinned pnpm, and the workspace's npm dependencies. Safe to run again (it skips what is there).
#
#   bash scripts/setup.sh            everything (what CI and the README's commands run)
#   NAPI_SHIP_SKIP_APT=1 bash ...    skip the Debian packages (no root, or already installed)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[2m› %s\033[0m\n' "$*" >&2; }

# Debian packages: cross C toolchains for real fixture binaries, file(1) for checks; the arm64
# glibc sysroot (libc6-dev-arm64-cross: gcc-aarch64-linux-gnu only recommends it, and we install
# without recommends) and qemu-user, to load the arm64 build of the core under emulation.
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

# Rust targets the dry run cross-builds the core for (all of napi.targets but the two MSVC ones,
# which need cargo-xwin's download of Microsoft's CRT or a Windows runner).
rust_targets=(aarch64-apple-darwin x86_64-apple-darwin x86_64-unknown-linux-musl aarch64-unknown-linux-musl aarch64-unknown-linux-gnu)
if command -v rustup >/dev/null; then
  installed=$(rustup target list --installed)
  want_targets=()
  for t in "${rust_targets[@]}"; do grep -qx "$t" <<<"$installed" || want_targets+=("$t"); done
  if [ ${#want_targets[@]} -gt 0 ]; then
    log "adding Rust targets: ${want_targets[*]}"
    rustup target add "${want_targets[@]}"
  fi
fi

# zig and cargo-zigbuild, as `napi-ship doctor --install` installs them: PyPI's ziglang (the zig
# napi-rs builds with) and cargo-zigbuild's binary wheel in a venv under napi-ship's tools dir,
# plus a `zig` wrapper in its bin/, which napi-ship puts in front of PATH for its builds.
tools_dir="${NAPI_SHIP_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/napi-ship/tools}"
tool_pins="ziglang==0.14.1 cargo-zigbuild==0.24.1"
if [ "$(cat "$tools_dir/.napi-ship-pins" 2>/dev/null)" != "$tool_pins" ] || [ ! -x "$tools_dir/bin/zig" ]; then
  command -v python3 >/dev/null || { echo "python3 not found: zig and cargo-zigbuild install from PyPI" >&2; exit 1; }
  log "installing zig and cargo-zigbuild into $tools_dir: $tool_pins"
  [ -x "$tools_dir/bin/pip" ] || python3 -m venv "$tools_dir"
  for attempt in 1 2 3; do
    # shellcheck disable=SC2086
    if "$tools_dir/bin/pip" install --quiet --disable-pip-version-check $tool_pins; then break; fi
    [ "$attempt" = 3 ] && exit 1
    log "pip install failed (attempt $attempt), retrying"; sleep 3
  done
  printf '#!/bin/sh\n# napi-ship: zig from the PyPI ziglang package\nexec "%s" -m ziglang "$@"\n' "$tools_dir/bin/python" > "$tools_dir/bin/zig"
  chmod +x "$tools_dir/bin/zig"
  echo "$tool_pins" > "$tools_dir/.napi-ship-pins"
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
