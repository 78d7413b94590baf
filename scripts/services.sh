# Sourced by scripts/test: a private PostgreSQL cluster on loopback for the scale-out tests, and where redis-server is
# (those tests start, stop and restart their own Redis). Everything lives in one temporary directory, removed on exit.

# The newest PostgreSQL the Debian package installed; its tools are not on PATH.
_pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# PostgreSQL refuses to run as root: then its cluster belongs to the postgres user the package created.
_as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_services() {
  [ -n "${SERVICES_DIR:-}" ] || return 0
  [ -f "$SERVICES_DIR/pg/postmaster.pid" ] && _as_postgres "$(_pg_bin)/pg_ctl" -D "$SERVICES_DIR/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$SERVICES_DIR"
  SERVICES_DIR=
}

# start_services: start PostgreSQL, export DIEMCAU_TEST_POSTGRES_URL and DIEMCAU_TEST_REDIS_SERVER, stop it all on exit.
start_services() {
  local bin port
  bin=$(_pg_bin)
  if [ -z "$bin" ] || ! command -v redis-server >/dev/null; then
    echo "The scale-out tests need PostgreSQL and redis-server (Debian: apt-get install postgresql redis-server)" >&2
    return 1
  fi
  SERVICES_DIR=$(mktemp -d)
  trap stop_services EXIT
  [ "$(id -u)" = 0 ] && chown postgres: "$SERVICES_DIR"
  port=$(_free_port)
  _as_postgres "$bin/initdb" -D "$SERVICES_DIR/pg" -U postgres -A trust -E UTF8 --no-sync >"$SERVICES_DIR/initdb.log"
  # A throwaway cluster: no fsync, and its socket in the temporary directory rather than /run/postgresql.
  _as_postgres "$bin/pg_ctl" -D "$SERVICES_DIR/pg" -l "$SERVICES_DIR/pg/server.log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $SERVICES_DIR -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$SERVICES_DIR/pg/server.log" >&2; return 1; }
  export DIEMCAU_TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$port/postgres"
  export DIEMCAU_TEST_REDIS_SERVER
  DIEMCAU_TEST_REDIS_SERVER=$(command -v redis-server)
}
