#!/usr/bin/env bash
# Builds Steward: the console's wasm front end and the `steward` binary, with plain cargo and the
# wasm-bindgen and wasm-opt command-line tools (scripts/install-tools.sh installs them), so a new
# machine compiles nothing but Steward and its dependencies.
#
#   scripts/build.sh            debug build (quick to rebuild; what `make dev` serves)
#   scripts/build.sh --release  optimised build (`make run`, CI's Playwright run, `make sizes`)
#
# It installs what is missing first (scripts/install-tools.sh). The site (wasm, JS, CSS, static
# files) goes to target/site, where `steward serve` looks by
# default (LEPTOS_SITE_ROOT); the binary to $CARGO_TARGET_DIR/{debug,release}/steward. A release
# build names the bundle's files by a hash of their content (listed in pkg/hash.txt, which the
# server reads), so browsers may cache them for good, and writes gzip and brotli copies of each
# for the server to send as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

release=false
for arg in "$@"; do
  case "$arg" in
    --release) release=true ;;
    *) echo "usage: $0 [--release]" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

target_dir="${CARGO_TARGET_DIR:-target}"
site=target/site
pkg="$site/pkg"
# The front end has a target directory of its own, shared with `make lint`'s wasm clippy, so host
# and wasm builds never wait for each other's lock or invalidate each other's artifacts.
front_dir="$target_dir/front"

if [ "$release" = true ]; then
  wasm_profile=wasm-release
  wasm_out=wasm-release
  server_out=release
  server_args=(--release)
else
  wasm_profile=dev
  wasm_out=debug
  server_out=debug
  server_args=()
fi

# The server and the front end build at the same time: each ends in a long step on one core (the
# largest crate, then linking; for the wasm, link-time optimisation), so two cores finish both
# sooner together than one after the other. The server needs none of the tools below.
say "building the steward binary"
cargo build -p server --bin steward "${server_args[@]}" &
server_build=$!
trap 'kill "$server_build" 2>/dev/null || true' EXIT

if [ "$release" = true ]; then
  scripts/install-tools.sh --release
else
  scripts/install-tools.sh
fi

say "building the console front end (wasm, profile $wasm_profile)"
cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features \
  --features hydrate --profile "$wasm_profile" --target-dir "$front_dir"

staging=$(mktemp -d)
trap 'rm -rf "$staging"; kill "$server_build" 2>/dev/null || true' EXIT
wasm-bindgen --target web --no-typescript --out-name steward --out-dir "$staging" \
  "$front_dir/wasm32-unknown-unknown/$wasm_out/app.wasm"
cp style/main.css "$staging/steward.css"

rm -rf "$pkg"
mkdir -p "$pkg"
if [ "$release" = true ]; then
  say "optimising the wasm bundle (wasm-opt -Oz)"
  # rustc emits reference types, multi-value and sign extension for wasm32 by default; wasm-opt
  # must keep them, or wasm-bindgen's externref table is rewritten and the bundle fails to start.
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types \
    --enable-multivalue --enable-sign-ext --enable-mutable-globals \
    -o "$staging/steward_bg.wasm" "$staging/steward_bg.wasm"
  hash() { sha256sum "$1" | cut -c1-16; }
  js=$(hash "$staging/steward.js")
  wasm=$(hash "$staging/steward_bg.wasm")
  css=$(hash "$staging/steward.css")
  cp "$staging/steward.js" "$pkg/steward.$js.js"
  cp "$staging/steward_bg.wasm" "$pkg/steward.$wasm.wasm"
  cp "$staging/steward.css" "$pkg/steward.$css.css"
  printf 'js: %s\nwasm: %s\ncss: %s\n' "$js" "$wasm" "$css" > "$pkg/hash.txt"
  say "compressing the bundle (gzip and brotli)"
  node scripts/precompress.mjs "$pkg"/*.js "$pkg"/*.wasm "$pkg"/*.css
else
  # Leptos looks for `<output name>_bg.wasm` beside `<output name>.js` when files are not hashed.
  cp "$staging/steward.js" "$staging/steward_bg.wasm" "$staging/steward.css" "$pkg/"
fi
cp -R public/. "$site/"

wait "$server_build"
say "built $site and $target_dir/$server_out/steward"
