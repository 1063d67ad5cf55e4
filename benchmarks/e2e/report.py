#!/usr/bin/env python3
"""Helpers of run-e2e.sh: data-phase times, the JFR summary, and the markdown/gnuplot report.

  report.py data-phase RUN.jsonl        pgmigrate's copy wall time: first table start to last table end
  report.py pgcopydb-copy RUN.log       pgcopydb's "COPY, INDEX, CONSTRAINTS, VACUUM (wall clock)" step
  report.py jfr SAMPLES.txt             markdown summary of `jfr print --events jdk.ExecutionSample`
  report.py summary RUNS.csv RESULTS_DIR MACHINE SECONDS VALIDATION.tsv JFR.md
"""
import collections
import csv
import datetime
import json
import os
import re
import statistics
import sys


def iso(s):
    # 2026-11-21T12:09:43.012580594Z: Python wants at most 6 fractional digits
    m = re.match(r"(.*T\d\d:\d\d:\d\d)(\.\d+)?Z$", s)
    frac = (m.group(2) or ".0")[:7]
    return datetime.datetime.fromisoformat(m.group(1) + frac + "+00:00")


def data_phase(path):
    record = None
    with open(path) as f:
        for line in f:
            if '"event":"MigrationRecord"' in line:
                record = json.loads(line)["record"]
    starts, ends = [], []
    for db in record["databases"]:
        for t in db["tables"]:
            if t.get("startedAt") and t.get("endedAt"):
                starts.append(iso(t["startedAt"]))
                ends.append(iso(t["endedAt"]))
    print("%.2f" % (max(ends) - min(starts)).total_seconds())


def log_times(logfile, name):
    """Timestamps of the engine's INFO lines about migration NAME in the CLI's log."""
    marks = {}
    if not os.path.exists(logfile):
        return marks
    for line in open(logfile):
        if "[pgmigrate-" + name + "]" not in line and "Migration " + name + " " not in line \
                and "Migration " + name + ":" not in line:
            continue
        at = datetime.datetime.strptime(line[:28], "%Y-%m-%dT%H:%M:%S.%f%z")
        for key, text in (("prereq", "/ PerformingPrerequisiteSteps"), ("validation", "/ ValidationInProgress"),
                          ("migrating", "/ MigratingData"), ("schema", "schema restored"),
                          ("built", "data, indexes and constraints in"), ("completing", "/ CompletingMigration"),
                          ("ended", " ended: ")):
            if text in line and key not in marks:
                marks[key] = at
    return marks


def pgmigrate_phases(jsonl, logfile, name, wall):
    """Seconds per phase of one pgmigrate run, from its record, its events and the engine's log."""
    record, starts, ends = None, [], []
    for line in open(jsonl):
        e = json.loads(line)
        if e["event"] == "MigrationRecord":
            record = e["record"]
    for db in record["databases"]:
        for t in db["tables"]:
            if t.get("startedAt") and t.get("endedAt"):
                starts.append(iso(t["startedAt"]))
                ends.append(iso(t["endedAt"]))
    m = log_times(logfile, name)
    created, ended = iso(record["createdAt"]), iso(record["endedAt"])
    need = ("prereq", "migrating", "schema", "built", "completing")
    if not starts or any(k not in m for k in need):
        return None
    sec = lambda a, b: (b - a).total_seconds()
    return collections.OrderedDict([
        ("JVM start, CLI, exit", wall - sec(created, ended)),
        ("record created → prerequisite steps done (facts, snapshot; validation where run)",
         sec(created, m["migrating"])),
        ("create database + pre-data schema", sec(m["migrating"], m["schema"])),
        ("plan (catalog, ranges) → first COPY", sec(m["schema"], min(starts))),
        ("COPY: first table start → last table end", sec(min(starts), max(ends))),
        ("index/constraint builds after the last COPY", sec(max(ends), m["built"])),
        ("completing (ANALYZE, verification, parameters)", sec(m["completing"], ended)),
    ])


def pg_duration(s):
    # pgcopydb prints 263ms, 6s298 (6.298 s), 2m03s, 1h02m
    for pattern, scale in ((r"(\d+)ms$", (0.001, 0)), (r"(\d+)s(\d+)$", (1, 0.001)), (r"(\d+)m(\d+)s?$", (60, 1)),
                           (r"(\d+)h(\d+)m?$", (3600, 60)), (r"(\d+)s$", (1, 0))):
        m = re.match(pattern, s)
        if m:
            return int(m.group(1)) * scale[0] + (int(m.group(2)) * scale[1] if m.lastindex > 1 else 0)
    raise ValueError("unknown duration " + s)


def pgcopydb_copy(path):
    with open(path) as f:
        for line in f:
            if "COPY, INDEX, CONSTRAINTS" in line and "wall clock" in line:
                cells = line.split()
                print("%.2f" % pg_duration(cells[cells.index("both") + 1]))
                return


def jfr(path, threads_path=None):
    out = []
    if threads_path and os.path.exists(threads_path):
        last = {}
        for line in open(threads_path):
            cells = line.rstrip("\n").split("\t")
            if len(cells) == 3 and cells[1].strip():
                last[cells[0]] = (int(cells[1]), cells[2].strip())
        by = collections.Counter()
        for ticks, name in last.values():
            by[re.sub(r"[#\-]?\d+$", "N", name)] += ticks
        total = sum(by.values()) or 1
        hz = os.sysconf("SC_CLK_TCK")
        out += ["The JVM's CPU by thread (from /proc, JIT and GC included):", "",
                "| thread | CPU s | share |", "|---|---:|---:|"]
        out += ["| `%s` | %.2f | %.0f%% |" % (n, t / hz, 100.0 * t / total) for n, t in by.most_common(10)]
        out += [""]
    text = open(path).read()
    events = text.split("jdk.ExecutionSample {")[1:]
    self_frames, inclusive, threads, groups = (collections.Counter() for _ in range(4))
    for ev in events:
        tm = re.search(r'sampledThread = "([^"]*)"', ev)
        thread = re.sub(r"\d+$", "N", tm.group(1)) if tm else "?"
        threads[thread] += 1
        st = ev.split("stackTrace = [", 1)[1] if "stackTrace = [" in ev else ""
        frames = [re.sub(r"\s+line:.*$", "", l.strip()) for l in st.splitlines()
                  if l.strip() and l.strip() not in ("]", "}", "...")]
        if not frames:
            continue
        self_frames[frames[0]] += 1
        for fr in set(frames):
            inclusive[fr] += 1
        groups[classify(frames)] += 1
    n = len(events) or 1
    out += ["Samples: %d (jdk.ExecutionSample, Java code running on a CPU; `settings=profile` samples every 10 ms)" % len(events), ""]
    out += ["| where the JVM's CPU goes (top frame's owner) | samples | share |", "|---|---:|---:|"]
    out += ["| %s | %d | %.0f%% |" % (g, c, 100.0 * c / n) for g, c in groups.most_common()]
    out += ["", "| thread | samples | share |", "|---|---:|---:|"]
    out += ["| `%s` | %d | %.0f%% |" % (t, c, 100.0 * c / n) for t, c in threads.most_common(8)]
    out += ["", "| hottest methods (self) | samples | share |", "|---|---:|---:|"]
    out += ["| `%s` | %d | %.1f%% |" % (f[:110], c, 100.0 * c / n) for f, c in self_frames.most_common(15)]
    out += ["", "| hottest pgmigrate/pgjdbc methods (inclusive) | samples | share |", "|---|---:|---:|"]
    out += ["| `%s` | %d | %.1f%% |" % (f[:110], c, 100.0 * c / n) for f, c in inclusive.most_common(400)
            if f.startswith(("dev.pgmigrate", "org.postgresql"))][:15]
    print("\n".join(out))


def classify(frames):
    top = frames[0]
    if any(f.startswith("dev.pgmigrate.copy.CopyStreamer.run") for f in frames[:12]) and top.startswith(
            ("java.lang.System.arraycopy", "dev.pgmigrate")):
        return "pgmigrate copy loop (buffer gathering)"
    if top.startswith("org.postgresql"):
        return "pgjdbc (protocol, COPY messages)"
    if top.startswith(("sun.nio", "java.net", "sun.net", "java.io", "jdk.internal.misc", "java.lang.System.arraycopy")):
        return "JDK I/O and copying (socket streams, arraycopy)"
    if top.startswith("com.fasterxml"):
        return "Jackson (events, record JSON)"
    if top.startswith("dev.pgmigrate"):
        return "pgmigrate (other)"
    if top.startswith(("java.util.concurrent", "java.lang.Thread", "jdk.internal")):
        return "JDK concurrency"
    return "other (%s)" % ".".join(top.split(".")[:2])


# ---- summary ------------------------------------------------------------------------------------------------
LABELS = {
    "pgmigrate": "pgmigrate (Migrate, no verify)",
    "pgmigrate-verify": "pgmigrate (ValidateAndMigrate + verify)",
    "pgmigrate-skip-analyze": "pgmigrate (Migrate, no verify, skipAnalyze)",
    "pgmigrate-c2": "pgmigrate, launcher with C2 back on (-XX:TieredStopAtLevel=4)",
    "pgmigrate-jar": "pgmigrate, plain java -jar (no launcher options)",
    "pgmigrate-g1": "pgmigrate, launcher with G1 instead of the serial collector",
    "pgmigrate-nocds": "pgmigrate, launcher without class-data sharing (PGMIGRATE_CDS=off)",
    "raw": "raw psql binary COPY pipe",
    "pgcopydb": "pgcopydb clone",
    "dump-dir": "pg_dump -Fd -j N + pg_restore -j N",
    "dump-custom": "pg_dump -Fc \\| pg_restore",
}


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fnum(v, fmt="%.2f"):
    return "–" if v is None else fmt % v


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def summary(csv_path, results, machine, seconds, validation_path, jfr_path):
    rows = [r for r in csv.DictReader(open(csv_path)) if r["run"] != "0"]
    for r in rows:
        for k in ("wall_s", "data_s", "user_s", "sys_s", "src_cpu_s", "tgt_cpu_s", "size_bytes", "maxrss_kb"):
            r[k] = num(r[k])

    def group(pred):
        g = collections.OrderedDict()
        for r in rows:
            if pred(r):
                g.setdefault(r["tool"], []).append(r)
        return g

    def stats(rs):
        return {
            "wall": med([r["wall_s"] for r in rs]), "data": med([r["data_s"] for r in rs]),
            "tool": med([r["user_s"] + r["sys_s"] for r in rs]), "src": med([r["src_cpu_s"] for r in rs]),
            "tgt": med([r["tgt_cpu_s"] for r in rs]), "rss": max(r["maxrss_kb"] for r in rs) / 1024,
            "size": rs[0]["size_bytes"], "n": len(rs), "ok": sum(r["complete"] == "yes" for r in rs),
            "min": min(r["wall_s"] for r in rs), "max": max(r["wall_s"] for r in rs),
        }

    md = ["# End-to-end benchmark results", "",
          "Machine: %s. Generated by `benchmarks/run-e2e.sh` in %d s. Both servers on this machine, identical "
          "settings (see `benchmarks/e2e/servers.sh`); tools alternate run by run (in reverse order every other "
          "round) after an untimed warm-up, so only ratios within this file mean anything." % (machine, int(seconds)),
          ""]
    loads = [num(r["load1"]) for r in rows if r.get("load1")]
    if loads:
        md += ["Machine load: the 1-minute load average at each timed run's start was %.2f to %.2f (median %.2f); "
               "the benchmark's own runs keep it near 2 on 2 cores, so more means something else ran too." % (
                   min(loads), max(loads), med(loads)), ""]

    main = group(lambda r: r["experiment"] == "main")
    if main:
        s = {t: stats(rs) for t, rs in main.items()}
        any_r = next(iter(main.values()))[0]
        raw, pgm = s.get("raw"), s.get("pgmigrate")
        md += ["## Side by side: pgbench scale %s + 1M-row mixed table (%.0f MB), %s jobs, median of %d" % (
            any_r["scale"], any_r["size_bytes"] / 1048576, any_r["jobs"], max(x["n"] for x in s.values())), "",
            "| tool | wall s (min–max) | MB/s | × raw | × pgmigrate | data phase s | tool CPU s | source CPU s | target CPU s | peak RSS MB | complete |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for t, x in s.items():
            md.append("| %s | %.2f (%.2f–%.2f) | %.0f | %s | %s | %s | %.1f | %.1f | %.1f | %.0f | %d/%d |" % (
                LABELS.get(t, t), x["wall"], x["min"], x["max"], x["size"] / 1048576 / x["wall"],
                fnum(x["wall"] / raw["wall"] if raw else None), fnum(x["wall"] / pgm["wall"] if pgm else None),
                fnum(x["data"]), x["tool"], x["src"], x["tgt"], x["rss"], x["ok"], x["n"]))
        md += ["", "Data phase: pgmigrate, first table's copy start to last table's copy end (from its record; its "
               "index builds overlap it); raw pipe, the parallel COPY pipes between pre-data and post-data; "
               "pgcopydb, its \"COPY, INDEX, CONSTRAINTS, VACUUM (wall clock)\" step. CPU: user+system seconds "
               "of the tool's processes (`/usr/bin/time`) and of each server's processes (`/proc`, postmaster "
               "and children). Peak RSS: the largest single process of the tool. Complete: every table's row "
               "count and the number of indexes equal the source's.", ""]
        md += paired_ratios(main)
        if raw and pgm and raw["data"] and pgm["data"]:
            md += ["pgmigrate's data phase: %.2f s against the raw pipe's %.2f s, %.0f%% of its throughput; "
                   "end to end %.2f× the raw pipe and %s× pgcopydb." % (
                       pgm["data"], raw["data"], 100.0 * raw["data"] / pgm["data"], pgm["wall"] / raw["wall"],
                       fnum(pgm["wall"] / s["pgcopydb"]["wall"] if "pgcopydb" in s else None)), ""]

    phase_rows = [(i + 1, r) for i, r in enumerate(csv.DictReader(open(csv_path)))
                  if r["experiment"] == "main" and r["run"] != "0" and r["tool"].startswith("pgmigrate")]
    work = os.path.dirname(csv_path)
    by_tool = collections.OrderedDict()
    for run_id, r in phase_rows:
        try:
            ph = pgmigrate_phases(os.path.join(work, "run-%d.jsonl" % run_id),
                                  os.path.join(work, "state", "logs", "pgmigrate.log"), "run-%d" % run_id,
                                  float(r["wall_s"]))
        except (OSError, ValueError, KeyError, TypeError) as e:
            print("no phases for run-%d: %r" % (run_id, e), file=sys.stderr)
            ph = None
        if ph:
            by_tool.setdefault(r["tool"], []).append(ph)
    raw_phases = []
    for i, r in enumerate(csv.DictReader(open(csv_path))):
        pf = os.path.join(work, "phase-%d" % (i + 1))
        if r["experiment"] == "main" and r["run"] != "0" and r["tool"] == "raw" and os.path.exists(pf):
            raw_phases.append(dict(kv.split("=") for kv in open(pf).read().split()))
    if by_tool:
        tools = list(by_tool)
        keys = list(next(iter(by_tool.values()))[0])
        md += ["## pgmigrate's wall time by phase (median of the main runs)", "",
               "| phase | " + " | ".join("%s s" % LABELS.get(t, t) for t in tools) + " |",
               "|---|" + "---:|" * len(tools)]
        for k in keys:
            md.append("| %s | %s |" % (k, " | ".join(fnum(med([p[k] for p in by_tool[t]])) for t in tools)))
        md.append("| **total (wall)** | %s |" % " | ".join(fnum(med([sum(p.values()) for p in by_tool[t]])) for t in tools))
        if raw_phases:
            md += ["", "The raw pipe, for comparison: create database + pre-data %.2f s, COPY %.2f s, post-data "
                   "(indexes, one after another) %.2f s." % tuple(med([float(p[k]) for p in raw_phases])
                                                               for k in ("pre", "data", "post"))]
        md.append("")

    plot = {}
    base_main = {t: stats(rs) for t, rs in main.items()} if main else {}
    size = group(lambda r: r["experiment"] == "size")
    if size or main:
        pts = collections.defaultdict(dict)  # tool -> scale -> stats
        for t, rs in size.items():
            for sc in sorted({r["scale"] for r in rs}, key=float):
                pts[t][float(sc)] = stats([r for r in rs if r["scale"] == sc])
        for t, rs in main.items():
            if t in ("pgmigrate", "raw", "pgcopydb", "pgmigrate-skip-analyze", "pgmigrate-verify"):
                pts[t][float(rs[0]["scale"])] = base_main[t]
        if size:
            md += scaling_table("Data size (pgbench scale + the mixed table)", "scale", pts, lambda k, x: "%g (%.0f MB)" % (k, x["size"] / 1048576))
            plot["size"] = {t: [(x["size"] / 1048576, x["wall"]) for k, x in sorted(v.items())] for t, v in pts.items()}
            for sc in sorted({r["scale"] for rs in size.values() for r in rs}, key=float):
                at = collections.OrderedDict((t, [r for r in rs if r["scale"] == sc]) for t, rs in size.items())
                paired = paired_ratios(collections.OrderedDict((t, rs) for t, rs in at.items() if rs))
                if paired:
                    md += ["Scale %s: %s" % (sc, paired[0][0].lower() + paired[0][1:])] + paired[1:]

    par = group(lambda r: r["experiment"] == "parallelism")
    if par:
        pts = collections.defaultdict(dict)
        for t, rs in par.items():
            for j in sorted({r["jobs"] for r in rs}, key=int):
                pts[t][int(j)] = stats([r for r in rs if r["jobs"] == j])
        for t, x in base_main.items():
            if t in pts:
                pts[t][int(main[t][0]["jobs"])] = x
        md += scaling_table("Parallelism (same dataset as above)", "jobs", pts, lambda k, x: str(k))
        plot["jobs"] = {t: [(k, x["wall"]) for k, x in sorted(v.items())] for t, v in pts.items()}

    tables = group(lambda r: r["experiment"] == "tables")
    if tables:
        s = {t: stats(rs) for t, rs in tables.items()}
        n = next(iter(tables.values()))[0]["tables"]
        pgm = s.get("pgmigrate")
        md += ["## Table count: %s small tables (10 rows and a primary key each)" % n, "",
               "| tool | wall s | × pgmigrate | tool CPU s | source CPU s | target CPU s | peak RSS MB | complete |",
               "|---|---:|---:|---:|---:|---:|---:|---|"]
        for t, x in s.items():
            md.append("| %s | %.2f | %s | %.1f | %.1f | %.1f | %.0f | %d/%d |" % (
                LABELS.get(t, t), x["wall"], fnum(x["wall"] / pgm["wall"] if pgm else None), x["tool"], x["src"],
                x["tgt"], x["rss"], x["ok"], x["n"]))
        md.append("")
        plot["tables"] = {t: x["wall"] for t, x in s.items()}

    if validation_path and os.path.exists(validation_path):
        md += [open(validation_path).read(), ""]

    prof = group(lambda r: r["experiment"] == "profile")
    if prof or (jfr_path and os.path.exists(jfr_path)):
        md += ["## Where pgmigrate's time goes", ""]
        if prof:
            x = stats(prof["pgmigrate"])
            cap = x["wall"] * os.cpu_count()
            md += ["One run under JFR (`settings=profile`), %.2f s wall, %d cores = %.1f CPU-seconds available:" % (
                x["wall"], os.cpu_count(), cap), "",
                "| process | CPU s | share of the machine |", "|---|---:|---:|",
                "| pgmigrate JVM | %.1f | %.0f%% |" % (x["tool"], 100 * x["tool"] / cap),
                "| source server | %.1f | %.0f%% |" % (x["src"], 100 * x["src"] / cap),
                "| target server | %.1f | %.0f%% |" % (x["tgt"], 100 * x["tgt"] / cap),
                "| idle or elsewhere | %.1f | %.0f%% |" % (cap - x["tool"] - x["src"] - x["tgt"],
                                                            100 * (cap - x["tool"] - x["src"] - x["tgt"]) / cap), ""]
        if jfr_path and os.path.exists(jfr_path):
            md += [open(jfr_path).read(), ""]

    open(os.path.join(results, "e2e.md"), "w").write("\n".join(md) + "\n")
    if plot:
        write_gnuplot(results, plot)


def paired_ratios(groups):
    """Each tool's wall time over another's in the same round (the tools alternate within a round, so a round's
    two runs share the host's load), as the median and range over the rounds: steadier than a ratio of medians
    on a host whose load drifts."""
    def by_round(rs):
        return {r["run"]: r["wall_s"] for r in rs}
    rounds = {t: by_round(rs) for t, rs in groups.items()}
    bases = [b for b in ("raw", "pgcopydb", "pgmigrate") if b in rounds]
    if not bases or max(len(v) for v in rounds.values()) < 2:
        return []
    md = ["Paired, round by round: each tool's wall time over the other's in the same round, median (min–max) "
          "over the rounds.", "",
          "| tool | " + " | ".join("× %s" % LABELS.get(b, b) for b in bases) + " |",
          "|---|" + "---:|" * len(bases)]
    for t, mine in rounds.items():
        cells = []
        for b in bases:
            ratios = sorted(mine[k] / rounds[b][k] for k in mine if k in rounds[b] and rounds[b][k])
            cells.append("—" if t == b or not ratios else "%.3f (%.2f–%.2f)" % (
                statistics.median(ratios), ratios[0], ratios[-1]))
        md.append("| %s | %s |" % (LABELS.get(t, t), " | ".join(cells)))
    return md + [""]


def scaling_table(title, key, pts, keyfmt):
    tools = list(pts)
    skip = "pgmigrate-skip-analyze" in pts
    keys = sorted({k for v in pts.values() for k in v})
    md = ["## %s" % title, "",
          "| %s | " % key + " | ".join("%s s" % LABELS.get(t, t) for t in tools) + " | pgmigrate × raw | pgmigrate × pgcopydb |"
          + (" skipAnalyze × raw | skipAnalyze × pgcopydb |" if skip else ""),
          "|---|" + "---:|" * (len(tools) + 2 + (2 if skip else 0))]
    for k in keys:
        any_x = next(v[k] for v in pts.values() if k in v)
        cells = [fnum(pts[t][k]["wall"]) if k in pts[t] else "–" for t in tools]
        p, r, c, s = (pts.get(t, {}).get(k) for t in ("pgmigrate", "raw", "pgcopydb", "pgmigrate-skip-analyze"))
        md.append("| %s | %s | %s | %s |" % (keyfmt(k, any_x), " | ".join(cells),
                                            fnum(p["wall"] / r["wall"] if p and r else None),
                                            fnum(p["wall"] / c["wall"] if p and c else None))
                  + (" %s | %s |" % (fnum(s["wall"] / r["wall"] if s and r else None),
                                     fnum(s["wall"] / c["wall"] if s and c else None)) if skip else ""))
    return md + [""]


def write_gnuplot(results, plot):
    panels = [k for k in ("size", "jobs", "tables") if k in plot]
    g = ["set terminal pngcairo size %d,420 font 'sans,10'" % (460 * len(panels)), "set output 'scaling.png'",
         "set multiplot layout 1,%d title 'pgmigrate end-to-end benchmark (wall seconds, lower is better)'" % len(panels),
         "set key top left", "set grid"]
    for p in panels:
        if p == "tables":
            g += ["$tables << EOD"] + ['"%s" %.3f' % (t, w) for t, w in plot[p].items()] + ["EOD",
                  "set title 'table count: many small tables'", "set style fill solid 0.6", "set boxwidth 0.6",
                  "unset xlabel", "set ylabel 'seconds'", "set yrange [0:*]", "set xrange [-0.6:%f]" % (len(plot[p]) - 0.4),
                  "plot $tables using 0:2:xtic(1) with boxes notitle"]
            continue
        names = list(plot[p])
        for i, t in enumerate(names):
            g += ["$%s%d << EOD" % (p, i)] + ["%g %.3f" % pt for pt in plot[p][t]] + ["EOD"]
        if p == "size":
            g += ["set title 'data size'", "set xlabel 'source database MB'", "set ylabel 'seconds'", "set autoscale xy"]
        else:
            g += ["set title 'parallelism'", "set xlabel 'jobs'", "set ylabel 'seconds'", "set autoscale xy", "set xtics 1"]
        g += ["plot " + ", ".join("$%s%d using 1:2 with linespoints lw 2 title '%s'" % (p, i, t) for i, t in enumerate(names))]
    g += ["unset multiplot"]
    open(os.path.join(results, "scaling.gp"), "w").write("\n".join(g) + "\n")


def validation(jsonl, logfile, wall, dbs, tables, jobs):
    record = None
    for line in open(jsonl):
        if '"event":"MigrationRecord"' in line:
            record = json.loads(line)["record"]
    statuses = collections.Counter(r["status"] for r in record["validationResults"])
    per = collections.defaultdict(list)
    for line in open(logfile):
        m = re.search(r"Validator (\S+) (\S*) ?gave (\d+) results in (\d+) ms", line)
        if m:
            per[m.group(1)].append(int(m.group(4)))
    total = sum(sum(v) for v in per.values()) or 1
    md = ["## Validation: %s databases × %s tables, every built-in validator" % (dbs, tables), "",
          "`pgmigrate migration create --migration-option Validate --wait` over all %s databases, parallelism %s, "
          "after an untimed warm-up run: **%.1f s wall**, status %s, %d results (%s). Per validator: the time of "
          "its calls as the engine logs them (per database for database-level validators, once for instance-level "
          "ones), summed; calls run %s at a time. Slowest first." % (
              dbs, jobs, float(wall), record["status"], len(record["validationResults"]),
              ", ".join("%d %s" % (c, s) for s, c in statuses.most_common()), jobs), "",
          "| validator | calls | total ms | slowest call ms | share |", "|---|---:|---:|---:|---:|"]
    for vid, ms in sorted(per.items(), key=lambda kv: -sum(kv[1]))[:15]:
        md.append("| `%s` | %d | %d | %d | %.0f%% |" % (vid, len(ms), sum(ms), max(ms), 100.0 * sum(ms) / total))
    md.append("| (%d more validators) | | %d | | |" % (max(0, len(per) - 15),
                                                     sum(sum(v) for k, v in sorted(per.items(), key=lambda kv: -sum(kv[1]))[15:])))
    md.append("| all validators | %d | %d | | 100%% |" % (sum(len(v) for v in per.values()), total))
    print("\n".join(md))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "data-phase":
        data_phase(sys.argv[2])
    elif cmd == "pgcopydb-copy":
        pgcopydb_copy(sys.argv[2])
    elif cmd == "jfr":
        jfr(*sys.argv[2:4])
    elif cmd == "validation":
        validation(*sys.argv[2:8])
    elif cmd == "summary":
        summary(*sys.argv[2:8])
    else:
        sys.exit("unknown command " + cmd)
