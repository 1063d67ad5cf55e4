package dev.pgmigrate.core.internal.online;

import java.util.List;
import java.util.Objects;

/**
 * One message of the {@code pgoutput} logical decoding stream, decoded: what the source committed, in the order it
 * committed it. LSNs are the source's WAL positions as unsigned 64-bit numbers.
 */
public sealed interface Change {
    /** A source transaction starts; its changes follow, then its {@link Commit}. */
    record Begin(long finalLsn, long commitMicros, int xid) implements Change {
    }

    /** A source transaction committed at {@code commitLsn}; {@code endLsn} is where the next one starts. */
    record Commit(long commitLsn, long endLsn, long commitMicros) implements Change {
    }

    /** The transaction was replicated to the source from elsewhere, under this origin. */
    record Origin(long lsn, String name) implements Change {
    }

    /**
     * A table's description, sent before its first change in a session and again after its definition changes;
     * {@code replicaIdentity} is {@code d} (default: the primary key), {@code n}, {@code f} (full) or {@code i}.
     */
    record Relation(int oid, String schema, String table, char replicaIdentity, List<Column> columns)
            implements Change {
        public Relation {
            Objects.requireNonNull(schema);
            Objects.requireNonNull(table);
            columns = List.copyOf(columns);
        }
    }

    /**
     * A column of a {@link Relation}: whether it is part of the replica identity, its name, type and modifier; and,
     * once the apply has read the target's table, the column's type there ({@code format_type}, null until then)
     * and whether it is an identity column {@code GENERATED ALWAYS}, which takes a value only with
     * {@code OVERRIDING SYSTEM VALUE}.
     */
    record Column(boolean key, String name, int typeOid, int typeModifier, String targetType, boolean alwaysIdentity) {
        Column(boolean key, String name, int typeOid, int typeModifier) {
            this(key, name, typeOid, typeModifier, null, false);
        }
    }

    /** A data type used by a later relation, sent once per session. */
    record Type(int oid, String schema, String name) implements Change {
    }

    /** A row inserted. */
    record Insert(int relationOid, Tuple row) implements Change {
    }

    /**
     * A row updated: {@code oldRow} holds its key columns ({@code K}) or, for a replica identity full table, every
     * old column ({@code O}); it is absent when the key did not change. Columns of {@code newRow} that are unchanged
     * TOAST values were not sent.
     */
    record Update(int relationOid, java.util.Optional<Tuple> oldRow, boolean oldIsWholeRow, Tuple newRow)
            implements Change {
    }

    /** A row deleted, found by its key columns or, for a replica identity full table, by every old column. */
    record Delete(int relationOid, Tuple oldRow, boolean oldIsWholeRow) implements Change {
    }

    /** Tables truncated together. */
    record Truncate(List<Integer> relationOids, boolean cascade, boolean restartIdentity) implements Change {
        public Truncate {
            relationOids = List.copyOf(relationOids);
        }
    }

    /** A logical message written with {@code pg_logical_emit_message}. */
    record Message(boolean transactional, long lsn, String prefix, byte[] content) implements Change {
    }

    /** The values of one row, one per column of its relation, in the relation's column order. */
    record Tuple(List<Value> values) {
        public Tuple {
            values = List.copyOf(values);
        }
    }

    /** One column's value as sent: SQL NULL, an unchanged TOAST value that was not sent, or its text form. */
    sealed interface Value {
        /** SQL NULL. */
        record Null() implements Value {
        }

        /** A TOASTed value the update did not change; it was not sent and must not be written. */
        record UnchangedToast() implements Value {
        }

        /** The value in the type's text output form. */
        record Text(String text) implements Value {
        }
    }
}
