package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.core.internal.pg.SelectionOutputs;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.EngineOptions;
import dev.pgmigrate.core.internal.schema.DumpScript;
import dev.pgmigrate.core.internal.schema.PgTools;
import java.util.ArrayList;
import java.util.List;

/**
 * pg_dump's sections of a database, always from the migration's snapshot and never waiting for a lock longer than
 * the copy would: the pre-data (with the database's own properties, {@code --create}) and the post-data, dumped
 * and parsed on threads of their own while the target database is made.
 */
public final class SourceDumps {
    private final MigrationSpec spec;
    private final CancelSignal cancel;

    SourceDumps(MigrationSpec spec, CancelSignal cancel) {
        this.spec = spec;
        this.cancel = cancel;
    }

    /**
     * The pre-data section also holds the database's own properties: its comment, spec.settings() and privileges.
     * Both sections leave out what the database's selection leaves out, by exact name.
     */
    List<String> preDataOptions(DatabaseRun db) {
        List<String> options = new ArrayList<>(List.of("--create", lockWait()));
        if (EngineOptions.noToastCompression(spec.settings())) {
            options.add("--no-toast-compression");
        }
        options.addAll(SelectionOutputs.pgDumpOptions(db.selection));
        return options;
    }

    /** The post-data section's options: the lock wait, and the database's selection. */
    List<String> postDataOptions(DatabaseRun db) {
        List<String> options = new ArrayList<>(List.of(lockWait()));
        options.addAll(SelectionOutputs.pgDumpOptions(db.selection));
        return options;
    }

    /** pg_dump's locks wait no longer than the copy's: a queued TRUNCATE would otherwise hold it forever. */
    String lockWait() {
        return "--lock-wait-timeout=" + EngineOptions.lockTimeoutSeconds(spec.settings()) + "s";
    }

    /**
     * The pre-data section, dumped and parsed on a thread of its own; led by the definitions of the schemas left out
     * that hold an extension ({@link dev.pgmigrate.core.internal.pg.SourceSelection#extensionSchemas()}), which
     * pg_dump would leave out while it still creates the extension in them. On a target before 15
     * ({@code targetBefore15}), the public schema starts from the privileges its dump is written against.
     */
    java.util.concurrent.Future<DumpScript> preData(DatabaseRun db, PgTools.PgDump pgDump, boolean targetBefore15) {
        return aside("pre-data", () -> {
            DumpScript dumped = dump(db, pgDump, "pre-data", preDataOptions(db));
            DumpScript pre = targetBefore15 && pgDump.majorNum() >= 150000 ? publicSchemaAsIn15(dumped) : dumped;
            if (db.selection.extensionSchemas().isEmpty()) {
                return pre;
            }
            List<DumpScript.Entry> entries = new ArrayList<>();
            List<String> options = new ArrayList<>(List.of(lockWait()));
            options.addAll(SelectionOutputs.extensionSchemaOptions(db.selection));
            for (DumpScript.Entry e : dump(db, pgDump, "pre-data", options).entries()) {
                // Only the schemas themselves: their other objects are what the selection leaves out.
                if (e.schema().equals("-") && (e.type().equals("SCHEMA") || e.tag().startsWith("SCHEMA "))) {
                    entries.add(e);
                }
            }
            entries.addAll(pre.entries());
            return pre.withEntries(entries);
        });
    }

    /**
     * pg_dump from 15 on writes the privileges of an older source's public schema against 15's default, in which
     * PUBLIC may use it but not create in it, and so writes nothing for a source that revoked CREATE. A target
     * before 15 makes the schema with CREATE for PUBLIC: the schema's entry takes it away first, so that the dump's
     * statements end with the source's privileges. A source without a public schema has no such entry.
     */
    static DumpScript publicSchemaAsIn15(DumpScript pre) {
        List<DumpScript.Entry> entries = new ArrayList<>();
        for (DumpScript.Entry e : pre.entries()) {
            if (e.type().equals("SCHEMA") && e.schema().equals("-") && e.tag().equals("public")) {
                List<String> statements = new ArrayList<>(e.statements());
                statements.add("REVOKE CREATE ON SCHEMA \"public\" FROM PUBLIC");
                e = e.withStatements(statements);
            }
            entries.add(e);
        }
        return pre.withEntries(entries);
    }

    /** Dumps one section from the database's snapshot and parses it, on a thread of its own. */
    java.util.concurrent.Future<DumpScript> aside(DatabaseRun db, PgTools.PgDump pgDump, String section,
            List<String> options) {
        return aside(section, () -> dump(db, pgDump, section, options));
    }

    private DumpScript dump(DatabaseRun db, PgTools.PgDump pgDump, String section, List<String> options)
            throws Exception {
        return DumpScript.parse(PgTools.dump(pgDump, spec.source(), spec.settings(), db.name, db.snapshot, section,
                options, cancel));
    }

    private java.util.concurrent.Future<DumpScript> aside(String section,
            java.util.concurrent.Callable<DumpScript> work) {
        java.util.concurrent.FutureTask<DumpScript> task = new java.util.concurrent.FutureTask<>(work);
        Thread thread = new Thread(task, "pgmigrate-pg_dump-" + section);
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    /** The post-data section, dumped and parsed now. */
    DumpScript postData(DatabaseRun db, PgTools.PgDump pgDump) throws Exception {
        return DumpScript.parse(PgTools.dump(pgDump, spec.source(), spec.settings(), db.name, db.snapshot,
                "post-data", postDataOptions(db), cancel));
    }

    /** The database's own properties, dumped again from the snapshot of a resumed run. */
    DatabaseProperties properties(DatabaseRun db, PgTools.PgDump pgDump) throws Exception {
        return DatabaseProperties.split(DumpScript.parse(PgTools.dump(pgDump, spec.source(), spec.settings(), db.name,
                db.snapshot, "pre-data", preDataOptions(db), cancel)), db.name).properties();
    }
}
