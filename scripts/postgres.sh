#!/usr/bin/env bash
# A private PostgreSQL server for development and tests: its own cluster in a directory, on a free
# port, its socket in that directory, run by the `postgres` system user (initdb refuses root).
# Installs Debian's `postgresql` package when missing (root on Debian).
#
#   scripts/postgres.sh start DIR   # prints the DATABASE_URL of a new cluster in DIR
#   scripts/postgres.sh stop DIR
#   scripts/postgres.sh run -- CMD… # CMD with DATABASE_URL set, on a throwaway cluster
#
# The cluster listens on PG_LISTEN (default 127.0.0.1). A test that reaches it from a network
# namespace of its own needs PG_LISTEN='*'; passwords are then accepted only from loopback and
# from subnets this machine is directly on (pg_hba `samenet`), and the password is random.
set -euo pipefail

install_if_missing() {
  if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then return; fi
  if [[ $(id -u) -eq 0 && -f /etc/debian_version ]]; then
    echo "installing system package: postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends postgresql >/dev/null
  else
    echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 1
  fi
}

bindir() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

# Runs a PostgreSQL program as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1
  install_if_missing
  local bin port password
  bin=$(bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  port=$(free_port)
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  cat >"$dir/data/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
host all all samenet scram-sha-256
EOF
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '${PG_LISTEN:-127.0.0.1}'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = ${PG_FSYNC:-on}
EOF
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
  as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 <<EOF
CREATE ROLE dlquiz LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE dlquiz OWNER dlquiz;
EOF
  echo "postgres://dlquiz:$password@127.0.0.1:$port/dlquiz" >"$dir/url"
  cat "$dir/url"
}

stop() {
  local dir=$1
  [[ -d $dir/data ]] || return 0
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
}

case ${1:-} in
  start) start "${2:?directory}" ;;
  stop) stop "${2:?directory}" ;;
  run)
    shift
    [[ ${1:-} == -- ]] && shift
    dir=$(mktemp -d "${TMPDIR:-/tmp}/dlquiz-pg.XXXXXX")
    trap 'stop "$dir"; rm -rf "$dir"' EXIT
    DATABASE_URL=$(start "$dir")
    export DATABASE_URL
    echo "PostgreSQL $(basename "$(dirname "$(bindir)")") at ${DATABASE_URL##*@}" >&2
    rc=0
    "$@" || rc=$?
    exit $rc
    ;;
  *)
    echo "usage: $0 start DIR | stop DIR | run -- CMD…" >&2
    exit 2
    ;;
esac
