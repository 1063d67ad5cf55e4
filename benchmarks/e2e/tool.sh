#!/usr/bin/env bash
# Runs one tool once: copies database $DB from the source into a new database of the same name on the target,
# with $JOBS-way parallelism. Run by run-e2e.sh under /usr/bin/time, so the peak memory and CPU times it records
# are this tool's processes'. Writes the data-phase seconds, where the tool exposes them, to $PHASE_FILE.
set -euo pipefail
tool="$1"
: "${DB:?}" "${JOBS:?}" "${SOURCE_PORT:?}" "${TARGET_PORT:?}" "${PG_BIN:?}" "${PHASE_FILE:?}" "${WORK:?}"

now() { date +%s.%N; }
psql_src() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$SOURCE_PORT" -d "$DB" "$@"; }
psql_tgt() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$TARGET_PORT" -d "$DB" "$@"; }
create_target_db() { "$PG_BIN/createdb" -p "$TARGET_PORT" -T template0 -E UTF8 --locale=C.UTF-8 "$DB"; }
uri() { echo "postgres://postgres@127.0.0.1:$1/$DB?sslmode=disable"; }
# A run's own directory for the files a tool writes (pg_dump's, pgcopydb's), removed by the caller, outside the
# timed run: deleting tens of thousands of files is no tool's work, and slows the next run's file creation.
files="$WORK/files-$RUN_NAME"

case "$tool" in
pgmigrate|pgmigrate-verify|pgmigrate-skip-analyze|pgmigrate-c2|pgmigrate-jar|pgmigrate-g1|pgmigrate-nocds|pgmigrate-before|pgmigrate-before-verify)
    # Run as users run it, through the ./pgmigrate launcher and its JVM options. pgmigrate-jar: plain
    # `java -jar`, without them. pgmigrate-g1: the launcher with G1, the JDK's default collector, instead of its
    # serial one. The untimed warm-up run records the launcher's class-data sharing archive;
    # pgmigrate-nocds: the launcher with PGMIGRATE_CDS=off, without it. pgmigrate-c2: C2 back on (the launcher
    # stops the JIT at C1), to weigh its compile time. pgmigrate-before(-verify): the launcher of another source
    # tree, $PGMIGRATE_BEFORE_HOME (a worktree of an earlier commit, built), for before/after runs.
    # pgmigrate-skip-analyze: settings.skipAnalyze, no ANALYZE, the work the raw pipe and pg_restore do.
    opts="${JAVA_OPTS:-}"
    [[ "$tool" == pgmigrate-c2 ]] && opts="$opts -XX:TieredStopAtLevel=4"
    [[ "$tool" == pgmigrate-g1 ]] && opts="$opts -XX:-UseSerialGC -XX:+UseG1GC"
    properties="$WORK/pgmigrate.json"
    [[ "$tool" == *-verify ]] && properties="$WORK/pgmigrate-verify.json"
    [[ "$tool" == pgmigrate-skip-analyze ]] && properties="$WORK/pgmigrate-skip-analyze.json"
    launcher=("$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/pgmigrate")
    [[ "$tool" == pgmigrate-before* ]] && launcher=("${PGMIGRATE_BEFORE_HOME:?}/pgmigrate")
    # shellcheck disable=SC2086 # opts holds several words on purpose
    [[ "$tool" == pgmigrate-jar ]] && launcher=(java $opts -jar "$PGMIGRATE_JAR")
    cds=on
    [[ "$tool" == pgmigrate-nocds ]] && cds=off
    PGMIGRATE_CDS="$cds" PGMIGRATE_JAVA_OPTS="$opts" "${launcher[@]}" --state-dir "$WORK/state" migration create \
        --name "$RUN_NAME" --properties "$properties" --wait --output json > "$WORK/$RUN_NAME.jsonl" &
    pid=$!
    if [[ -n "${THREAD_CPU_FILE:-}" ]]; then
        # The JVM's CPU per thread (JIT compilers and GC included, which JFR's samples leave out): snapshots
        # of /proc/PID/task/*/stat every 0.2 s as "tid<TAB>ticks<TAB>thread name"; a thread's last one counts.
        : > "$THREAD_CPU_FILE"
        while kill -0 "$pid" 2>/dev/null; do
            for t in /proc/"$pid"/task/*; do
                printf '%s\t%s\t%s\n' "${t##*/}" "$(awk '{print $14+$15}' "$t/stat" 2>/dev/null)" \
                    "$(cat "$t/comm" 2>/dev/null)"
            done >> "$THREAD_CPU_FILE"
            sleep 0.2
        done
    fi
    wait "$pid"
    ;;
raw)
    # pg_dump's pre-data schema, then one binary COPY pipe per table (largest first, $JOBS at a time), then
    # post-data (indexes and constraints, one after another): the physical limit of this machine.
    t0=$(now)
    create_target_db
    "$PG_BIN/pg_dump" -p "$SOURCE_PORT" --section=pre-data "$DB" | psql_tgt >/dev/null
    t1=$(now)
    psql_src -At -c "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%' ORDER BY pg_relation_size(c.oid) DESC" |
    xargs -d '\n' -P "$JOBS" -I{} bash -c 'set -o pipefail
        "$PG_BIN/psql" -X -q -p "$SOURCE_PORT" -d "$DB" -c "COPY $1 TO STDOUT (FORMAT binary)" |
        "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$TARGET_PORT" -d "$DB" -c "COPY $1 FROM STDIN (FORMAT binary)"' _ {}
    t2=$(now)
    "$PG_BIN/pg_dump" -p "$SOURCE_PORT" --section=post-data "$DB" | psql_tgt >/dev/null
    t3=$(now)
    echo "data=$(echo "$t2 - $t1" | bc) pre=$(echo "$t1 - $t0" | bc) post=$(echo "$t3 - $t2" | bc)" > "$PHASE_FILE"
    ;;
pgcopydb)
    mkdir -p "$files"
    create_target_db
    pgcopydb clone --source "$(uri "$SOURCE_PORT")" --target "$(uri "$TARGET_PORT")" \
        --table-jobs "$JOBS" --index-jobs "$JOBS" --dir "$files/pgcopydb" > "$WORK/$RUN_NAME.log" 2>&1 ||
        { tail -30 "$WORK/$RUN_NAME.log" >&2; exit 1; }
    ;;
dump-dir)
    mkdir -p "$files"
    "$PG_BIN/pg_dump" -p "$SOURCE_PORT" -Fd -j "$JOBS" -f "$files/dump" "$DB"
    create_target_db
    "$PG_BIN/pg_restore" -p "$TARGET_PORT" -j "$JOBS" -d "$DB" --exit-on-error "$files/dump"
    ;;
dump-custom)
    create_target_db
    "$PG_BIN/pg_dump" -p "$SOURCE_PORT" -Fc "$DB" | "$PG_BIN/pg_restore" -p "$TARGET_PORT" -d "$DB" --exit-on-error
    ;;
*)
    echo "unknown tool $tool" >&2; exit 64 ;;
esac
