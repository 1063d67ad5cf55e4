package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.TableVerification;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.pg.SourceSelection;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.run.TaskTracker;
import dev.pgmigrate.core.internal.schema.BuiltBefore;
import dev.pgmigrate.core.internal.schema.DumpScript;
import dev.pgmigrate.core.internal.schema.RoleFilter;
import dev.pgmigrate.core.internal.verify.CopiedRows;
import dev.pgmigrate.core.internal.verify.SessionPair;
import java.sql.Connection;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One database in flight: its names, its snapshot and catalog on the source, its sessions, and what its copy,
 * builds and comparisons have done so far. Owned by {@link DatabaseMigrations}, which fills it in as the database
 * moves through its stages.
 */
public final class DatabaseRun {
    public final String name;
    public String working;
    public Connection snapshotConnection;
    public String snapshot;
    public SourceCatalog catalog;
    /** What the spec's selection takes of this database, resolved inside its snapshot. */
    public SourceSelection selection = SourceSelection.everything();
    /** The post-data dump, running or done: its session header is every worker connection's. */
    java.util.concurrent.Future<DumpScript> postScript;
    /** The target's roles, read before the schema is restored: which owners and grants can be kept. */
    public RoleFilter roles;
    public final Set<Long> analyzed = ConcurrentHashMap.newKeySet();
    final Map<Thread, Connection[]> connections = new ConcurrentHashMap<>();
    /**
     * Worker source sessions left in the snapshot's transaction after copying small tables, with how many they
     * copied in it: the next small table needs no transaction, snapshot import or commit of its own.
     */
    public final Map<Connection, Integer> sourceTransactions = new ConcurrentHashMap<>();
    public final CancelSignal abort = new CancelSignal();
    /** Completed once every part of the database's tables is copied; its builds and comparisons may still run. */
    public final CompletableFuture<Void> copiesDone = new CompletableFuture<>();
    /** Tables compared while others still copied, by OID, with their verification connections per worker. */
    public final Map<Long, TableVerification> verified = new ConcurrentHashMap<>();
    public final Map<Thread, SessionPair> verifyConnections = new ConcurrentHashMap<>();
    public final AtomicLong verifyNanos = new AtomicLong();
    /** Tables whose comparison during the copy is queued or running, by OID, with how many of its reads are left. */
    public final Map<Long, Integer> comparing = new ConcurrentHashMap<>();
    /** Whether the copy checksums the rows it reads, for the verification ({@link CopiedRows}). */
    public boolean checksumCopy;
    /** Whether those checksums are made as the target hashes its rows, which it then sums itself. */
    public boolean checksumLikeServer;
    /**
     * The encoding both sides of a text {@code COPY} name, so that a SQL_ASCII database's bytes move as they are
     * (the driver's UTF-8 would refuse the bytes that are not UTF-8); null to copy in the driver's encoding.
     */
    public String copyEncoding;
    /**
     * Whether each column of the target's tables has its source column's type: the migration made them from the
     * source's schema, or data only checked the user's. The copy may then leave out what that type restores.
     */
    public boolean columnsMatchSource;
    /** Tables whose every part was copied with a checksum, by OID. */
    public final Map<Long, CopiedRows> copiedRows = new ConcurrentHashMap<>();
    public volatile Instant verifyStarted;
    public TaskTracker verifications;
    /** Whether a later step may write tables, so none is compared before the end (the plan says). */
    public boolean writtenLate;
    /** The locks that keep the tables as the snapshot has them, held until completion. */
    public SourceLocks locks;
    /** The database's own comment, settings and privileges, applied at completion. */
    DatabaseProperties properties;

    /** On resume: what already exists on the target, so it is not built twice. */
    public BuiltBefore builtBefore = BuiltBefore.NOTHING;
    public int restDone;

    DatabaseRun(String name, String working) {
        this.name = name;
        this.working = working;
    }

    /** {@link #copyEncoding} for a database the copy created with the source's encoding {@code sourceEncoding}. */
    static String copyEncodingFor(String sourceEncoding) {
        return "SQL_ASCII".equals(sourceEncoding) ? "SQL_ASCII" : null;
    }
}
