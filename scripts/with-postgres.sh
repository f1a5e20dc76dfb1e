#!/usr/bin/env bash
# Runs a command beside a throw-away PostgreSQL cluster from Debian's packages: initdb into
# a temporary folder, a free port on 127.0.0.1, stopped and removed afterwards whatever
# the command does. The command finds the server in JETX_TEST_POSTGRES
# (postgres://jetx@127.0.0.1:PORT/postgres; trust authentication, local only).
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
    echo "PostgreSQL is not installed (scripts/setup.sh installs it)" >&2
    exit 1
fi
tmp=$(mktemp -d /tmp/jetx-pg.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# initdb refuses to run as root: the cluster belongs to the package's postgres user then.
as_owner() {
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$tmp"

stop() {
    as_owner "$bin/pg_ctl -D $tmp/pg -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap stop EXIT

as_owner "$bin/initdb -D $tmp/pg -A trust -U jetx --no-sync" >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log" >&2; exit 1; }
# A test cluster: nothing in it must survive a crash, so no fsync.
as_owner "$bin/pg_ctl -D $tmp/pg -l $tmp/server.log -w start -o \"-p $port -k $tmp \
    -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off -c max_connections=400\"" >/dev/null ||
    { cat "$tmp/server.log" >&2; exit 1; }

export JETX_TEST_POSTGRES="postgres://jetx@127.0.0.1:$port/postgres"
"$@"
