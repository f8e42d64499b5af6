#!/usr/bin/env bash
# Fuzz napi-ship-core's binary inspector with cargo-fuzz (libFuzzer + AddressSanitizer).
#
#   bash scripts/fuzz.sh                   # 30 s of the `inspect` target
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh  # longer
#
# Environment:
#   FUZZ_SECONDS    total fuzzing time in seconds (default 30; libFuzzer -max_total_time)
#   FUZZ_TIMEOUT    seconds one input may run before it counts as a hang (default 10)
#   FUZZ_TARGET     fuzz target (default inspect)
#   FUZZ_SANITIZER  address (default) or none
#   FUZZ_TOOLCHAIN  auto (default: nightly if rustup has it, else stable), nightly or stable
#   FUZZ_CORPUS     working corpus dir (default crates/napi-ship-core/fuzz/corpus/<target>, gitignored)
#   FUZZ_ARGS       extra libFuzzer flags, e.g. "-fork=2 -ignore_timeouts=1"
#
# Exit status: 0 nothing found; 1 the fuzzer found a crash, hang or out-of-memory input (saved
# under crates/napi-ship-core/fuzz/artifacts/<target>/); 2 setup or build failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORE="$ROOT/crates/napi-ship-core"
FUZZ_DIR="$CORE/fuzz"
TARGET=${FUZZ_TARGET:-inspect}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
SANITIZER=${FUZZ_SANITIZER:-address}
TOOLCHAIN=${FUZZ_TOOLCHAIN:-auto}
CORPUS=${FUZZ_CORPUS:-$FUZZ_DIR/corpus/$TARGET}
TARGET_DIR="$FUZZ_DIR/target"
ARTIFACTS="$FUZZ_DIR/artifacts/$TARGET"
LOG="$FUZZ_DIR/artifacts/$TARGET.log"
RSS_LIMIT_MB=2048

say() { printf '[fuzz] %s\n' "$*"; }
die() { printf '[fuzz] error: %s\n' "$*" >&2; exit 2; }

case "$FUZZ_SECONDS" in '' | *[!0-9]*) die "FUZZ_SECONDS must be a whole number of seconds" ;; esac
case "$FUZZ_TIMEOUT" in '' | *[!0-9]*) die "FUZZ_TIMEOUT must be a whole number of seconds" ;; esac

# --- cargo-fuzz --------------------------------------------------------------------------------
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "cargo-fuzz is missing: cargo install cargo-fuzz --locked"
  cargo install cargo-fuzz --locked || die "could not install cargo-fuzz"
fi

# --- toolchain: cargo-fuzz passes -Z flags, so nightly, or stable told to accept them ----------
if [ "$TOOLCHAIN" = auto ]; then
  TOOLCHAIN=stable
  if command -v rustup >/dev/null 2>&1; then
    toolchains=$(rustup toolchain list 2>/dev/null || true)
    case "$toolchains" in nightly* | *$'\n'nightly*) TOOLCHAIN=nightly ;; esac
  fi
fi
case "$TOOLCHAIN" in
  nightly) CARGO=(cargo +nightly fuzz) RUSTC=(rustc +nightly) ;;
  stable) CARGO=(env RUSTC_BOOTSTRAP=1 cargo fuzz) RUSTC=(rustc) ;;
  *) die "FUZZ_TOOLCHAIN must be auto, nightly or stable (got '$TOOLCHAIN')" ;;
esac
case "$SANITIZER" in address | none) ;; *) die "FUZZ_SANITIZER must be address or none" ;; esac

# --- seed corpus: real binaries copied into a temporary directory, never committed ------------
SEEDS=$(mktemp -d "${TMPDIR:-/tmp}/napi-ship-fuzz-seeds.XXXXXX")
trap 'rm -rf "$SEEDS"' EXIT
mkdir -p "$CORPUS" "$ARTIFACTS"

add_seed() { # add_seed FILE NAME: copy a regular, non-empty file of at most 4 MiB
  [ -f "$1" ] && [ -s "$1" ] || return 0
  [ "$(wc -c <"$1")" -le 4194304 ] || return 0
  cp "$1" "$SEEDS/$2" 2>/dev/null || true
}
for f in "$ROOT"/crates/napi-ship-node/*.node; do add_seed "$f" "host-$(basename "$f")"; done
add_seed /bin/true bin-true
if [ -d "$ROOT/.cache/fixtures" ]; then
  n=0
  while IFS= read -r -d '' f && [ "$n" -lt 200 ]; do
    add_seed "$f" "fixture-$n-$(basename "$f")"
    n=$((n + 1))
  done < <(find "$ROOT/.cache/fixtures" -type f -print0 2>/dev/null)
fi
# Small addons of every format the inspector reads, built from the test fixture source with
# whatever cross tools this machine has (each step is optional; failures are ignored).
ADDON_C="$ROOT/test/fixtures/src/addon.c"
if [ -f "$ADDON_C" ]; then
  (
    cd "$SEEDS"
    if command -v cc >/dev/null 2>&1; then
      cc -shared -fPIC -Os -o elf-addon.so "$ADDON_C" 2>/dev/null || true
    fi
    if command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
      x86_64-w64-mingw32-gcc -shared -Os -o pe-addon.dll "$ADDON_C" 2>/dev/null || true
    fi
    if command -v clang >/dev/null 2>&1 && command -v lld >/dev/null 2>&1; then
      for arch in arm64:11.0 x86_64:10.13; do
        a=${arch%%:*} v=${arch#*:}
        clang -target "$a-apple-macos$v" -DADDON_NO_LIBC -Os -c -o "m-$a.o" "$ADDON_C" 2>/dev/null &&
          lld -flavor darwin -dylib -arch "$a" -platform_version macos "$v" "$v" \
            -o "macho-addon-$a.dylib" "m-$a.o" 2>/dev/null || true
      done
      lipo=$(compgen -c llvm-lipo | sort -u | head -n 1 || true)
      if [ -n "$lipo" ] && [ -f macho-addon-arm64.dylib ] && [ -f macho-addon-x86_64.dylib ]; then
        "$lipo" -create macho-addon-arm64.dylib macho-addon-x86_64.dylib \
          -output macho-fat-addon.dylib 2>/dev/null || true
      fi
      rm -f m-*.o
    fi
  )
fi
printf '\0asm\1\0\0\0' >"$SEEDS/wasm-header.wasm"

say "target:     $TARGET ($FUZZ_SECONDS s, ${FUZZ_TIMEOUT} s per input, rss limit ${RSS_LIMIT_MB} MB)"
say "toolchain:  $TOOLCHAIN ($("${RUSTC[@]}" --version 2>/dev/null || echo '?')), sanitizer $SANITIZER"
say "seeds:      $(find "$SEEDS" -type f | wc -l) files: $(cd "$SEEDS" && ls | tr '\n' ' ')"
say "corpus:     $CORPUS ($(find "$CORPUS" -type f | wc -l) files kept from earlier runs)"

# --- build -------------------------------------------------------------------------------------
cd "$CORE"
build_start=$(date +%s)
"${CARGO[@]}" build "$TARGET" --sanitizer "$SANITIZER" --target-dir "$TARGET_DIR" ||
  die "the fuzz target did not build (toolchain $TOOLCHAIN, sanitizer $SANITIZER)"
say "build:      $(($(date +%s) - build_start)) s"

# --- run ---------------------------------------------------------------------------------------
# libFuzzer's output goes to $LOG; only progress lines are shown (on a finding, cargo-fuzz
# prints the whole input with {:?}, which can be megabytes).
STAMP="$SEEDS/.started"
touch "$STAMP"
run_start=$(date +%s)
set +e
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
"${CARGO[@]}" run "$TARGET" --sanitizer "$SANITIZER" --target-dir "$TARGET_DIR" \
  "$CORPUS" "$SEEDS" -- \
  -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb="$RSS_LIMIT_MB" \
  -print_final_stats=1 ${FUZZ_ARGS:-} 2>&1 |
  tee "$LOG" | grep --line-buffered -E '^#[0-9]+:?[[:space:]]+(INITED|pulse|DONE|cov:)|ERROR|SUMMARY|panicked' |
  cut -c1-200
rc=${PIPESTATUS[0]}
set -e
elapsed=$(($(date +%s) - run_start))

fstat() { sed -n "s/^stat::$1:[[:space:]]*//p" "$LOG" | tail -n 1; }
last=$(grep -E '^#[0-9]+' "$LOG" | tail -n 1 || true)
runs=$(fstat number_of_executed_units)
eps=$(fstat average_exec_per_sec)
if [ -z "$runs" ]; then # no final stats (-fork mode): the last status line and the wall time
  runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
  [ -n "$runs" ] && [ "$elapsed" -gt 0 ] && eps=$((runs / elapsed))
fi
rss=$(fstat peak_rss_mb)
cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
new_artifacts=() # oldest first
while IFS= read -r a; do new_artifacts+=("$a"); done < <(find "$ARTIFACTS" -type f -newer "$STAMP" -exec ls -1tr {} +)

echo
say "---------------------------------------------------------------- summary"
say "ran:        ${elapsed} s, ${runs:-?} executions (${eps:-?} exec/s), coverage ${cov:-?}, peak rss ${rss:-?} MB"
say "corpus:     $(find "$CORPUS" -type f | wc -l) files in $CORPUS"
say "full log:   $LOG"
if [ "${#new_artifacts[@]}" -gt 0 ]; then
  kinds=$(for a in "${new_artifacts[@]}"; do basename "$a" | cut -d- -f1; done | sort | uniq -c | awk '{printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1}')
  found=${new_artifacts[${#new_artifacts[@]} - 1]}
  say "RESULT: FOUND ${#new_artifacts[@]} failing input(s) ($kinds) in $ARTIFACTS"
  say "latest:     $found"
  # The stack trace of the latest finding: from the log, or (in -fork mode, whose workers log
  # elsewhere) by replaying the input once.
  trace=$LOG
  if ! grep -q 'in napi_ship_core' "$LOG"; then
    bin=$(find "$TARGET_DIR" -type f -path "*/release/$TARGET" | head -n 1)
    if [ -n "$bin" ]; then
      trace="$SEEDS/replay.log"
      timeout $((FUZZ_TIMEOUT + 60)) "$bin" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb="$RSS_LIMIT_MB" "$found" >"$trace" 2>&1 || true
    fi
  fi
  grep -m 3 -E 'panicked at|ERROR: (libFuzzer|AddressSanitizer)' "$trace" | cut -c1-300 | sed 's/^/[fuzz]   /' || true
  grep -E '^[[:space:]]+#[0-9]+ .* in .*(napi_ship_core|object::)' "$trace" | head -n 20 |
    sed -E 's/^[[:space:]]*#[0-9]+ 0x[0-9a-f]+ in /[fuzz]   at /' | cut -c1-220 || true
  size=$(wc -c <"$found")
  if [ "$size" -le 4096 ]; then
    say "input ($size bytes, hex): $(od -An -v -tx1 "$found" | tr -d ' \n')"
  else
    say "input: $size bytes; minimise with: (cd crates/napi-ship-core && ${CARGO[*]} tmin $TARGET --target-dir $TARGET_DIR $found -- -timeout=$FUZZ_TIMEOUT)"
  fi
  say "replay:     (cd crates/napi-ship-core && ${CARGO[*]} run $TARGET --target-dir $TARGET_DIR $found)"
  exit 1
fi
if [ "$rc" -ne 0 ]; then
  say "RESULT: the fuzzer exited with status $rc without saving an input; see $LOG"
  exit 2
fi
say "RESULT: no crash, hang or out-of-memory input in $FUZZ_SECONDS s"
