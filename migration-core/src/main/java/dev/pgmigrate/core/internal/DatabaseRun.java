package dev.pgmigrate.core.internal;

import dev.pgmigrate.api.TableVerification;
import java.sql.Connection;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One database in flight: its names, its snapshot and catalog on the source, its sessions, and what its copy,
 * builds and comparisons have done so far. Owned by {@link DatabaseMigrations}, which fills it in as the database
 * moves through its stages.
 */
final class DatabaseRun {
    final String name;
    String working;
    Connection snapshotConnection;
    String snapshot;
    SourceCatalog catalog;
    /** The post-data dump, running or done: its session header is every worker connection's. */
    java.util.concurrent.Future<DumpScript> postScript;
    /** The target's roles, read before the schema is restored: which owners and grants can be kept. */
    RoleFilter roles;
    final Set<Long> analyzed = ConcurrentHashMap.newKeySet();
    final Map<Thread, Connection[]> connections = new ConcurrentHashMap<>();
    final CancelSignal abort = new CancelSignal();
    /** Tables compared while others still copied, by OID, with their verification connections per worker. */
    final Map<Long, TableVerification> verified = new ConcurrentHashMap<>();
    final Map<Thread, Connection[]> verifyConnections = new ConcurrentHashMap<>();
    final AtomicLong verifyNanos = new AtomicLong();
    volatile Instant verifyStarted;
    TaskTracker verifications;
    /** Whether a later step may write tables, so none is compared before the end (the plan says). */
    boolean writtenLate;
    /** The locks that keep the tables as the snapshot has them, held until completion. */
    SourceLocks locks;
    /** The database's own comment, settings and privileges, applied at completion. */
    DatabaseProperties properties;

    /** On resume: what already exists on the target, so it is not built twice. */
    Set<String> existingIndexes = Set.of();
    Set<String> existingConstraints = Set.of();
    Set<String> existingTriggers = Set.of();
    Set<String> existingStatistics = Set.of();
    int restDone;

    DatabaseRun(String name, String working) {
        this.name = name;
        this.working = working;
    }
}
