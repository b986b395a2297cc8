#!/usr/bin/env bash
# Installs what building Steward needs, each only when it is missing or at the wrong version:
# the wasm32 target, cargo-leptos, the wasm-bindgen CLI matching Cargo.lock, and (with
# --release) wasm-opt. With --test it also installs what the test suite needs: Chromium from
# Debian (never a downloaded browser) and the Playwright runner from npm.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
# Debian's binaryen (108) corrupts the reference-types tables that current wasm-bindgen emits, so
# release builds use binaryen from npm, kept in Steward's tool directory.
BINARYEN_VERSION=132.0.0
TOOLS_DIR="${STEWARD_TOOLS_DIR:-$HOME/.cache/steward/tools}"
release=false
test=false
for arg in "$@"; do
  case "$arg" in
    --release) release=true ;;
    --test) test=true ;;
    *) echo "usage: $0 [--release] [--test]" >&2; exit 2 ;;
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

if ! cargo leptos --version 2>/dev/null | grep -qx "cargo-leptos $CARGO_LEPTOS_VERSION"; then
  # no_downloads: use wasm-bindgen and wasm-opt from PATH instead of fetching binaries.
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on 2 cores, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# cargo-leptos needs the wasm-bindgen CLI at exactly the version of the crate in Cargo.lock.
bindgen_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $bindgen_version"; then
  say "installing wasm-bindgen-cli $bindgen_version (about 3 minutes, once)"
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

if [ "$release" = true ]; then
  if ! command -v npm >/dev/null; then
    say "installing Node.js and npm from Debian"
    apt_install nodejs npm
  fi
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
  if ! command -v npm >/dev/null; then
    say "installing Node.js and npm from Debian"
    apt_install nodejs npm
  fi
  if [ ! -x end2end/node_modules/.bin/playwright ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing the Playwright test runner (no browser download)"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
