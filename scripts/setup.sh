#!/usr/bin/env bash
# Installs what MagiCapture Studio needs on a fresh Debian/Ubuntu machine, then builds the engine and the
# TypeScript. Safe to run again: it only installs what is missing and rebuilds incrementally.
#   LIBTORCH=/path/to/libtorch ./scripts/setup.sh   builds the engine against another libtorch (e.g. CUDA 2.x)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
[ -n "${LIBTORCH:-}" ] || dpkg -s libtorch-dev >/dev/null 2>&1 || packages+=(libtorch-dev)
# Without it libblas.so.3 is Debian's reference BLAS, and every Linear/bmm in the engine is 20-30x slower.
[ -n "${LIBTORCH:-}" ] || dpkg -s libopenblas0-pthread >/dev/null 2>&1 || packages+=(libopenblas0-pthread)
command -v cmake >/dev/null 2>&1 || packages+=(cmake)
command -v ninja >/dev/null 2>&1 || packages+=(ninja-build)
command -v g++ >/dev/null 2>&1 || packages+=(g++)
# The export tests read deliverables back with a second, independent metadata reader.
command -v exiftool >/dev/null 2>&1 || packages+=(libimage-exiftool-perl)
# The interface's browser tests (test/e2e) drive Debian's Chromium with playwright-core; no browser is downloaded.
[ -x /usr/bin/chromium ] || packages+=(chromium)
if [ ${#packages[@]} -gt 0 ]; then
  echo "setup: installing ${packages[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi

# The Electron binary and onnxruntime's CUDA binaries are not downloaded at install time (see DESIGN.md §6).
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi

echo "setup: building the native engine"
npx cmake-js compile --directory native --out native/build -p "$(nproc)" >native/build.log 2>&1 || {
  tail -50 native/build.log
  echo "setup: the native build failed (full log: native/build.log)" >&2
  exit 1
}
echo "setup: building TypeScript"
npx tsc -p tsconfig.json
echo "setup: building the interface (dist-renderer/)"
npm run --silent build:renderer
echo "setup: done"
