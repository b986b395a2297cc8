#!/usr/bin/env bash
# `make dev`: builds Steward (debug), serves it in sandbox mode, and on every saved change to the
# sources rebuilds and restarts it. Reload the browser after a rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
server=""
stop() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; }
trap 'stop; exit 0' INT TERM

while true; do
  if scripts/build.sh; then
    STEWARD_SANDBOX="${STEWARD_SANDBOX:-true}" "$target_dir/debug/steward" serve &
    server=$!
  else
    echo "build failed; fix the sources and save again" >&2
  fi
  inotifywait -qq -r -e close_write,create,delete,move \
    --exclude '(/target/|/node_modules/|\.git/|~$|\.swp$)' \
    Cargo.toml app domain sandbox server vocab style public migrations
  stop
  server=""
done
