package dev.pgmigrate.core.internal.run;

import java.util.Optional;

/**
 * What a journal entry records, as stored ({@link #label()} is the stored text). {@link Rollback} switches over
 * every kind; an entry of a kind this version does not know fails the rollback loudly.
 */
public enum JournalKind {
    /** A database created under its working name; undone by dropping it. Name: the working name. */
    CREATE_DATABASE("createDatabase"),
    /**
     * The user's database of the same name (overwriteDbsInTarget), renamed aside before the copy takes its name;
     * undone by renaming it back. Name: the database's name; detail: the name it was set aside under.
     */
    SET_ASIDE_DATABASE("setAsideDatabase"),
    /**
     * The working database renamed to its final name; undone by dropping it while it is still the copy. Name:
     * working; detail: final, a tab and the copy's OID (final alone before 0.4: {@link #renamedTo}, {@link #copyOid}).
     */
    RENAME_DATABASE("renameDatabase"),
    /** A role created; undone by dropping it, unless a later {@link #ROLES_NOT_CREATED} names it. */
    CREATE_ROLE("createRole"),
    /**
     * The roles of the {@link #CREATE_ROLE} entries before it, one a line: their transaction was rolled back, so
     * none was created, and a role of that name on the target is someone else's. Nothing to undo.
     */
    ROLES_NOT_CREATED("rolesNotCreated"),
    /** An ALTER SYSTEM; undone by setting the value it replaced. Detail: {@code =value}, or empty for none. */
    ALTER_SYSTEM("alterSystem"),
    /**
     * The point of no return: every database is in place and verified; from here the originals set aside are
     * dropped and nothing is rolled back.
     */
    COMMITTED("committed"),
    /**
     * A user's database dropped outright, by versions before the set-aside: it cannot be brought back, and a
     * rollback says so.
     */
    DROPPED_DATABASE("dropDatabase"),
    /**
     * Data only: the tables of a database the target had, filled; undone by emptying them. Name: the database;
     * detail: the tables, quoted, one a line, referenced tables first.
     */
    FILL_TABLES("fillTables"),
    /**
     * Data only: sequences of a database the target had, set; undone by setting each back. Name: the database;
     * detail: a line per sequence, its quoted name, value and is_called as they were, separated by tabs.
     */
    SET_SEQUENCES("setSequences"),
    /**
     * Online: a publication and a logical replication slot of the same name made on the source; undone by dropping
     * both there. Name: the slot's name; detail: the source database.
     */
    SOURCE_SLOT("sourceSlot"),
    /**
     * Online: tables of a source database given {@code REPLICA IDENTITY FULL}; undone by setting each back on the
     * source. Name: the database; detail: a line per table, its quoted name and its identity as it was
     * ({@code DEFAULT}, {@code NOTHING} or {@code USING INDEX name}), separated by a tab.
     */
    SOURCE_REPLICA_IDENTITY("sourceReplicaIdentity"),
    /** Online: a replication origin made on the target to track what was applied; undone by dropping it. */
    TARGET_ORIGIN("targetOrigin");

    private final String label;

    JournalKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether the change was made on the source, not the target. */
    public boolean onSource() {
        return this == SOURCE_SLOT || this == SOURCE_REPLICA_IDENTITY;
    }

    /** A {@link #RENAME_DATABASE} entry's final name. */
    static String renamedTo(String detail) {
        int tab = detail.lastIndexOf('\t');
        return tab > 0 && copyOid(detail).isPresent() ? detail.substring(0, tab) : detail;
    }

    /** A {@link #RENAME_DATABASE} entry's copy OID, when the version that wrote it recorded one. */
    static java.util.OptionalLong copyOid(String detail) {
        int tab = detail.lastIndexOf('\t');
        String oid = tab > 0 ? detail.substring(tab + 1) : "";
        return !oid.isEmpty() && oid.chars().allMatch(Character::isDigit)
                ? java.util.OptionalLong.of(Long.parseLong(oid)) : java.util.OptionalLong.empty();
    }

    static Optional<JournalKind> of(String label) {
        for (JournalKind kind : values()) {
            if (kind.label.equals(label)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
