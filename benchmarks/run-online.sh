#!/usr/bin/env bash
# Online migration benchmark: pgmigrate --migration-mode online against pgcopydb clone --follow, each on a source
# under a steady pgbench TPC-B load, alternating the tools run by run on two PostgreSQL 15 servers started here.
#
#   benchmarks/run-online.sh [--scale N] [--clients N] [--follow S] [--runs N] [--tools "pgmigrate pgcopydb"]
#                            [--results DIR]
#
# Each run: a fresh target; pgbench -c CLIENTS starts before the tool; once the tool follows the source (pgmigrate:
# status WaitingForUserAction; pgcopydb: its sentinel's apply enabled) the load goes on for FOLLOW seconds while the
# lag (the source's WAL position minus what the target has applied) is sampled each second; then the load stops,
# the cutover is triggered and timed until the tool is done (pgcopydb: its endpos, then `copy sequences`, as its
# documentation's cutover); the target is then compared with the source table by table (count and md5 of every
# row). Default: scale 20, 4 clients, 30 s, 2 runs per tool (about 10 minutes). Results: results/online.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
SCALE=20 CLIENTS=4 FOLLOW=30 RUNS=2 TOOLS="pgmigrate pgcopydb" RESULTS="$here/results"
while (( $# )); do
    case "$1" in
        --scale) SCALE="$2"; shift ;;
        --clients) CLIENTS="$2"; shift ;;
        --follow) FOLLOW="$2"; shift ;;
        --runs) RUNS="$2"; shift ;;
        --tools) TOOLS="$2"; shift ;;
        --results) RESULTS="$2"; shift ;;
        -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run-online.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
    shift
done
log() { printf '%(%H:%M:%S)T  %s\n' -1 "$*" >&2; }
now() { date +%s.%N; }

[[ $(id -u) == 0 ]] || { echo "run-online.sh: run as root (the servers run as the postgres OS user)" >&2; exit 64; }
missing=()
[[ -x /usr/lib/postgresql/15/bin/pgbench ]] || missing+=(postgresql-15 postgresql-client-15)
command -v pgcopydb >/dev/null || missing+=(pgcopydb)
[[ -f /usr/lib/postgresql/15/lib/wal2json.so ]] || missing+=(postgresql-15-wal2json) # pgcopydb 0.10 decodes with it
if (( ${#missing[@]} )); then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
log "building pgmigrate"
(cd "$root" && { ./mvnw -q -B -o -pl migration-cli -am package -DskipTests 2>/dev/null ||
    ./mvnw -q -B -pl migration-cli -am package -DskipTests; })
PGMIGRATE_JAR="$root/migration-cli/target/pgmigrate.jar"

export BENCH_DIR="${TMPDIR:-/tmp}/pgmigrate-online-$$"
export WORK="$BENCH_DIR/work"
# shellcheck source=e2e/servers.sh
source "$here/e2e/servers.sh"
SERVER_SETTINGS+=("wal_level=logical" "max_replication_slots=10" "max_wal_senders=10")
trap 'kill $(jobs -p) 2>/dev/null || true; teardown_servers; rm -rf "$BENCH_DIR/source" "$BENCH_DIR/target"; log "run files kept in $WORK"' EXIT
setup_servers
mkdir -p "$WORK" "$RESULTS"
DB=bench
PASS="$(cat "$BENCH_DIR/password")"
SRC_URI="postgres://postgres@127.0.0.1:$SOURCE_PORT/$DB?sslmode=disable"
TGT_URI="postgres://postgres@127.0.0.1:$TARGET_PORT/$DB?sslmode=disable"
src() { "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$SOURCE_PORT" -d "${2:-$DB}" -c "$1"; }
tgt() { "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$TARGET_PORT" -d "${2:-$DB}" -c "$1"; }

src "CREATE DATABASE $DB" postgres
"$PG_BIN/pgbench" -q -i -s "$SCALE" -h 127.0.0.1 -p "$SOURCE_PORT" "$DB" >/dev/null 2>&1
# pgbench_history has no key: each tool needs a replica identity for its updates and deletes (there are none).
src "ALTER TABLE pgbench_history REPLICA IDENTITY FULL"
log "source: pgbench scale $SCALE, $(( $(src "SELECT pg_database_size('$DB')") / 1048576 )) MB"

# The load alone, for the source's transaction rate without a migration.
TPS_ALONE=$("$PG_BIN/pgbench" -n -c "$CLIENTS" -j 2 -T 15 -h 127.0.0.1 -p "$SOURCE_PORT" "$DB" 2>/dev/null |
    awk '/^tps/ {print int($3); exit}')
log "pgbench alone: $TPS_ALONE tps with $CLIENTS clients"

cat > "$WORK/online.json" <<JSON
{"properties": {"sourceServer": {"host": "127.0.0.1", "port": $SOURCE_PORT, "adminLogin": "postgres",
  "password": {"file": "$BENCH_DIR/password"}, "sslMode": "disable"},
 "targetServer": {"host": "127.0.0.1", "port": $TARGET_PORT, "adminLogin": "postgres",
  "password": {"file": "$BENCH_DIR/password"}, "sslMode": "disable"},
 "dbsToMigrate": ["$DB"], "migrationMode": "Online", "migrationOption": "Migrate",
 "settings": {"parallelism": 2, "migrateRoles": false, "pgDumpDirectory": "$PG_BIN", "verify": true}}}
JSON

# applied TOOL: the source position the target has applied, as the tool tells it
applied() {
    case "$1" in
    pgmigrate) src "SELECT coalesce(max(confirmed_flush_lsn)::text, '') FROM pg_replication_slots WHERE slot_name LIKE 'pgmigrate_%'" ;;
    pgcopydb) PGPASSWORD="$PASS" pgcopydb stream sentinel get --source "$SRC_URI" 2>/dev/null | awk '/replay_lsn/ {print $NF}' ;;
    esac
}
following() {
    case "$1" in
    # The record as stored: a JVM per look would lag behind on a loaded machine.
    pgmigrate) grep -qsE '"substatus" ?: ?"WaitingForCutoverTrigger"' "$WORK"/state/*/"$RUN_NAME.json" ;;
    pgcopydb) [[ "$(PGPASSWORD="$PASS" pgcopydb stream sentinel get --source "$SRC_URI" 2>/dev/null)" =~ [Aa]pply.*(enabled|true) ]] ;;
    esac
}
lag_bytes() { # TOOL: WAL written on the source since what the target applied
    local at; at="$(applied "$1")"
    [[ -z "$at" || "$at" == 0/0 ]] && { echo ""; return; }
    src "SELECT pg_current_wal_lsn() - '$at'::pg_lsn" postgres
}

echo "tool,run,copy_s,tps_during,lag_max_mb,lag_mean_mb,lag_end_mb,catch_up_s,downtime_s,identical,downtime_recorded_s" > "$WORK/online.csv"
run=0
for r in $(seq 1 "$RUNS"); do
    for tool in $TOOLS; do
        run=$(( run + 1 )); RUN_NAME="online-$run"
        tgt "SELECT format('DROP DATABASE %I WITH (FORCE)', datname) FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'" postgres | while read -r s; do tgt "$s" postgres; done
        # What the run before left: a walsender still ending, its slot, pgcopydb's sentinel and the target's origins.
        src "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE active_pid IS NOT NULL" postgres >/dev/null
        sleep 1
        src "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots" postgres >/dev/null || true
        src "DROP SCHEMA IF EXISTS pgcopydb CASCADE" >/dev/null 2>&1 || true
        tgt "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin" postgres >/dev/null || true
        src "TRUNCATE pgbench_history" >/dev/null
        "$PG_BIN/pgbench" -n -c "$CLIENTS" -j 2 -T 3600 -h 127.0.0.1 -p "$SOURCE_PORT" "$DB" > "$WORK/pgbench-$run.log" 2>&1 &
        load=$!
        sleep 2
        t0=$(now)
        case "$tool" in
        pgmigrate)
            java -jar "$PGMIGRATE_JAR" --state-dir "$WORK/state" migration create --name "$RUN_NAME" --wait \
                --properties "$WORK/online.json" > "$WORK/$RUN_NAME.out" 2>&1 &
            ;;
        pgcopydb)
            tgt "CREATE DATABASE $DB" postgres
            rm -rf "$WORK/pgcopydb"
            PGPASSWORD="$PASS" pgcopydb clone --follow --source "$SRC_URI" --target "$TGT_URI" --dir "$WORK/pgcopydb" \
                --table-jobs 2 --index-jobs 2 --no-owner > "$WORK/$RUN_NAME.out" 2>&1 &
            ;;
        esac
        toolpid=$!
        failed=""
        until following "$tool"; do
            if ! kill -0 "$toolpid" 2>/dev/null || (( $(awk -v a="$t0" -v b="$(now)" 'BEGIN {print (b-a > 600)}') )) \
                    || grep -q 'ERROR BUG' "$WORK/$RUN_NAME.out"; then
                failed="$(grep -m1 'ERROR' "$WORK/$RUN_NAME.out" | cut -c1-160 | tr ',' ';' || true)"
                break
            fi
            sleep 0.2
        done
        if [[ -n "$failed" ]]; then
            log "$tool did not follow the source: ${failed:-no error printed}; see $WORK/$RUN_NAME.out"
            kill "$load" 2>/dev/null || true
            pkill -9 -f "$WORK/pgcopydb" 2>/dev/null || true # its worker processes outlive a killed parent
            kill -9 "$toolpid" 2>/dev/null || true; wait "$toolpid" "$load" 2>/dev/null || true
            echo "$tool,$r,,,,,,,,failed: ${failed:-did not follow within 600 s}" >> "$WORK/online.csv"
            continue
        fi
        t1=$(now)
        xact0=$(src "SELECT xact_commit FROM pg_stat_database WHERE datname = '$DB'")
        lags=()
        for _ in $(seq 1 "$FOLLOW"); do
            sleep 1
            l="$(lag_bytes "$tool")"; [[ -n "$l" ]] && lags+=("$l")
        done
        xact1=$(src "SELECT xact_commit FROM pg_stat_database WHERE datname = '$DB'")
        kill -TERM "$load"; wait "$load" 2>/dev/null || true
        lag_end="$(lag_bytes "$tool")"
        t2=$(now)
        end="$(src "SELECT pg_current_wal_lsn()" postgres)"
        caught=0
        for _ in $(seq 1 600); do # about 2 to 3 minutes
            at="$(applied "$tool")"
            if [[ -n "$at" ]] && (( $(src "SELECT ('$at'::pg_lsn >= '$end'::pg_lsn)::int" postgres) )); then
                caught=1; break
            fi
            grep -q 'ERROR BUG' "$WORK/$RUN_NAME.out" 2>/dev/null && break
            sleep 0.2
        done
        t3=$(now)
        if (( ! caught )); then
            failed="$(grep -m1 'ERROR' "$WORK/$RUN_NAME.out" | cut -c1-160 | tr ',' ';' || true)"
            log "$tool did not apply the source's changes: ${failed:-its applied position stayed at ${at:-none}}"
            pkill -9 -f "$WORK/pgcopydb" 2>/dev/null || true
            kill -9 "$toolpid" 2>/dev/null || true; wait "$toolpid" 2>/dev/null || true
            echo "$tool,$r,$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b-a}'),,,,,,,failed: ${failed:-applied position stayed at ${at:-none}}" >> "$WORK/online.csv"
            continue
        fi
        case "$tool" in
        pgmigrate)
            java -jar "$PGMIGRATE_JAR" --state-dir "$WORK/state" migration update --cutover --name "$RUN_NAME" >/dev/null
            wait "$toolpid" ;;
        pgcopydb)
            PGPASSWORD="$PASS" pgcopydb stream sentinel set endpos --current --source "$SRC_URI" >/dev/null 2>&1
            wait "$toolpid" || true
            PGPASSWORD="$PASS" pgcopydb copy sequences --source "$SRC_URI" --target "$TGT_URI" --dir "$WORK/pgcopydb-seq" --resume >/dev/null 2>&1 || true
            ;;
        esac
        t4=$(now)
        own=""
        if [[ "$tool" == pgmigrate ]]; then # the record's own downtime: without the command line's JVM start
            own=$(python3 -c 'import json,sys,datetime as d; r=json.load(open(sys.argv[1]))["record"]; p=lambda s: d.datetime.fromisoformat(s[:26].rstrip("Z")); print("%.2f" % (p(r["endedAt"])-p(r["cutoverRequestedAt"])).total_seconds())' "$WORK"/state/*/"$RUN_NAME.json" 2>/dev/null || true)
        fi
        same=yes
        for t in pgbench_accounts pgbench_branches pgbench_tellers pgbench_history; do
            q="SELECT count(*) || ':' || md5(string_agg(x::text, '|' ORDER BY x::text)) FROM $t x"
            [[ "$(src "$q")" == "$(tgt "$q")" ]] || { same=no; log "$tool: $t differs"; }
        done
        stats=$(printf '%s\n' "${lags[@]:-0}" | awk -v e="${lag_end:-0}" '{s+=$1; if ($1>m) m=$1} END {printf "%.2f,%.2f,%.2f", m/1048576, s/NR/1048576, e/1048576}')
        tps=$(awk -v a="$xact0" -v b="$xact1" -v s="$FOLLOW" 'BEGIN {printf "%d", (b-a)/s}')
        line="$tool,$r,$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b-a}'),$tps,$stats,$(awk -v a="$t2" -v b="$t3" 'BEGIN {printf "%.2f", b-a}'),$(awk -v a="$t3" -v b="$t4" 'BEGIN {printf "%.2f", b-a}'),$same,$own"
        echo "$line" >> "$WORK/online.csv"
        log "$line"
        src "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active" postgres >/dev/null
    done
done

{
    echo "# Online migration: pgmigrate against pgcopydb clone --follow"
    echo
    echo "$(date -u +%F) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}'), pgcopydb $(pgcopydb --version 2>/dev/null | awk '/version/ {print $NF; exit}')."
    echo "pgbench scale $SCALE, $CLIENTS clients; alone the source takes $TPS_ALONE tps. Followed $FOLLOW s under load, then cut over."
    echo
    echo "| tool | run | copy (s) | source tps while followed | lag max (MB) | lag mean (MB) | lag at load end (MB) | catch-up (s) | cutover downtime (s) | downtime recorded (s) | identical |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    tail -n +2 "$WORK/online.csv" | awk -F, '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$11,$10}'
    echo
    echo "Lag: the source's WAL position minus what the target has applied (pgmigrate: its slot's confirmed position, confirmed only once the target committed; pgcopydb: its sentinel's replay_lsn), sampled each second while followed. Catch-up: from the load's end until the target has applied the source's position then. Downtime: from the cutover command until the tool is done (pgmigrate: drain, sequences, verification, clean-up, rename, plus the command line's own start; pgcopydb: endpos, then copy sequences); recorded: pgmigrate's record, from the cutover request to the end."
} > "$RESULTS/online.md"
cp "$WORK/online.csv" "$RESULTS/online.csv"
log "results: $RESULTS/online.md"
