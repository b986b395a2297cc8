#!/usr/bin/env bash
# Installs what building Steward needs, each only when it is missing or at the wrong version:
# rustfmt and clippy, the wasm32 target, the wasm-bindgen CLI matching Cargo.lock, Node.js, and
# (with --release) binaryen's wasm-opt. With --test it also installs what the test suite needs:
# Chromium from Debian (never a downloaded browser) and the Playwright runner from npm. With
# --dev, inotify-tools for `make dev`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's binaryen (108) corrupts the reference-types tables that current wasm-bindgen emits, so
# release builds use binaryen from npm, kept in Steward's tool directory.
BINARYEN_VERSION=132.0.0
TOOLS_DIR="${STEWARD_TOOLS_DIR:-$HOME/.cache/steward/tools}"
release=false
test=false
dev=false
for arg in "$@"; do
  case "$arg" in
    --release) release=true ;;
    --test) test=true ;;
    --dev) dev=true ;;
    *) echo "usage: $0 [--release] [--test] [--dev]" >&2; exit 2 ;;
  esac
done

apt_updated=false
apt_install() {
  if [ "$apt_updated" = false ]; then
    apt-get update -qq
    apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
bindgen_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $bindgen_version"; then
  say "installing wasm-bindgen-cli $bindgen_version (about 2 minutes, once)"
  # Without default features: the TLS stack is only for downloading test browsers, which we never do.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --no-default-features
fi

# Node.js compresses the release bundle and runs Playwright.
if ! command -v npm >/dev/null; then
  say "installing Node.js and npm from Debian"
  apt_install nodejs npm
fi

if [ "$release" = true ]; then
  wasm_opt="$TOOLS_DIR/node_modules/.bin/wasm-opt"
  if ! "$wasm_opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
    mkdir -p "$TOOLS_DIR"
    npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
  fi
fi

if [ "$test" = true ]; then
  if ! command -v chromium >/dev/null; then
    say "installing Chromium from Debian"
    apt_install chromium
  fi
  if [ ! -x end2end/node_modules/.bin/playwright ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing the Playwright test runner (no browser download)"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

if [ "$dev" = true ] && ! command -v inotifywait >/dev/null; then
  say "installing inotify-tools from Debian (make dev watches the sources with it)"
  apt_install inotify-tools
fi
