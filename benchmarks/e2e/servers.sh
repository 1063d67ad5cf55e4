#!/usr/bin/env bash
# Source/target PostgreSQL servers for the end-to-end benchmark: two identical clusters of the machine's own
# PostgreSQL 15 (/usr/lib/postgresql/15/bin), run as the 'postgres' OS user under $BENCH_DIR, listening on
# 127.0.0.1 with scram-sha-256 logins. The password is random, kept in a 0600 file and a 0600 pgpass file,
# never on a command line. Sourced by run-e2e.sh.
# TARGET_SERVER_BIN: the target's server programs (initdb, pg_ctl, postgres) from another build, such as a newer
# major for an upgrade (run-e2e.sh --target-version); the client tools (pg_dump, psql) stay PG_BIN's.

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_OS_USER="${PG_OS_USER:-postgres}"

# Identical on both sides. Durability off as in the testkit (a benchmark box, not production); autovacuum off so
# that one run's leftovers do not steal CPU from the next; everything else at PostgreSQL's defaults.
SERVER_SETTINGS=(
    "fsync=off" "synchronous_commit=off" "full_page_writes=off"
    "shared_buffers=256MB" "max_wal_size=4GB" "checkpoint_timeout=30min"
    "maintenance_work_mem=512MB" "max_connections=100" "max_locks_per_transaction=256" "autovacuum=off" "jit=off"
    "log_min_messages=warning" "log_checkpoints=off"
)
# IO_BOUND=1: a cloud disk's case, where every commit and checkpoint waits for the disk and little is cached.
if [[ -n "${IO_BOUND:-}" ]]; then
    SERVER_SETTINGS+=("fsync=on" "synchronous_commit=on" "full_page_writes=on" "shared_buffers=32MB")
fi

as_pg() { runuser -u "$PG_OS_USER" -- "$@"; }

free_port() {
    local port
    for port in $(seq "$1" $(( $1 + 200 ))); do
        if ! ss -ltnH "sport = :$port" | grep -q .; then echo "$port"; return; fi
    done
    echo "no free port from $1" >&2; return 1
}

server_bin() { # NAME -> the directory of that server's programs
    if [[ "$1" == target && -n "${TARGET_SERVER_BIN:-}" ]]; then echo "$TARGET_SERVER_BIN"; else echo "$PG_BIN"; fi
}

# start_server NAME -> sets <NAME>_PORT, <NAME>_DATA
start_server() {
    local name="$1" data="$BENCH_DIR/$1" port bin
    bin="$(server_bin "$1")"
    port="$(free_port "${2:-25432}")"
    mkdir -p "$data" && chown "$PG_OS_USER" "$data" && chmod 700 "$data"
    as_pg "$bin/initdb" -D "$data" -U postgres --pwfile="$BENCH_DIR/pwfile-$PG_OS_USER" -A scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >/dev/null
    local s
    for s in "${SERVER_SETTINGS[@]}"; do echo "$s" >> "$data/postgresql.conf"; done
    printf "listen_addresses='127.0.0.1'\nport=%s\nunix_socket_directories='%s'\n" "$port" "$data" >> "$data/postgresql.conf"
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null
    printf -v "${name^^}_PORT" '%s' "$port"
    printf -v "${name^^}_DATA" '%s' "$data"
    echo "127.0.0.1:$port:*:postgres:$PASSWORD" >> "$PGPASSFILE"
}

stop_server() {
    local data="$BENCH_DIR/$1"
    [[ -f "$data/postmaster.pid" ]] && as_pg "$(server_bin "$1")/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

setup_servers() {
    mkdir -p "$BENCH_DIR" && chmod 755 "$BENCH_DIR"
    PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
    export PGPASSFILE="$BENCH_DIR/pgpass"
    ( umask 077; : > "$PGPASSFILE"; printf '%s' "$PASSWORD" > "$BENCH_DIR/password" )
    # initdb reads the password as the postgres user, from a file only it can read
    ( umask 077; printf '%s\n' "$PASSWORD" > "$BENCH_DIR/pwfile-$PG_OS_USER" ); chown "$PG_OS_USER" "$BENCH_DIR/pwfile-$PG_OS_USER"
    start_server source 25432
    start_server target $(( SOURCE_PORT + 1 ))
    rm -f "$BENCH_DIR/pwfile-$PG_OS_USER"
    export PGUSER=postgres PGHOST=127.0.0.1 PGSSLMODE=disable PGOPTIONS="-c client_min_messages=warning"
}

teardown_servers() {
    stop_server source
    stop_server target
}

# Total CPU ticks (user+system) spent by a server: the postmaster, its exited children (reaped, so counted in
# its cutime/cstime) and its live children (background workers, open sessions).
server_ticks() {
    local pid total=0 c
    pid="$(head -1 "$BENCH_DIR/$1/postmaster.pid")"
    total=$(awk '{print $14+$15+$16+$17}' "/proc/$pid/stat")
    for c in $(pgrep -P "$pid"); do
        total=$(( total + $(awk '{print $14+$15}' "/proc/$c/stat" 2>/dev/null || echo 0) ))
    done
    echo "$total"
}

src_psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$SOURCE_PORT" "$@"; }
tgt_psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$TARGET_PORT" "$@"; }
