#!/usr/bin/env bash
# Makes sure the PostgreSQL that the tests use answers on 127.0.0.1:5432 and has the `test`
# database: starts the local cluster when it is down, installs one from Debian when there is
# none. A cluster installed here trusts local TCP connections: it exists only for tests.
set -euo pipefail

host=127.0.0.1
port=5432

ready() { command -v pg_isready >/dev/null && pg_isready -q -h "$host" -p "$port"; }
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! ready; then
  if ! compgen -G "/etc/postgresql/*/main" >/dev/null; then
    say "installing PostgreSQL from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main restart
  for _ in $(seq 1 30); do
    ready && break
    sleep 1
  done
  ready || { echo "PostgreSQL did not come up on $host:$port" >&2; exit 1; }
fi

if ! psql -h "$host" -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
  say "creating the test database"
  psql -h "$host" -p "$port" -U postgres -d postgres -qc "CREATE DATABASE test"
fi
