package dev.pgmigrate.api;

import java.util.Objects;

/**
 * How many objects of one kind a schema holds on each server, or a sequence's value on each.
 *
 * @param database the database
 * @param schema the schema
 * @param kind what was counted, such as {@code "indexes"}, or {@code "sequence:name"} for a sequence's value
 * @param source the count (or value) on the source
 * @param target the count (or value) on the target
 * @since 0.1
 */
@Stable(since = "0.1")
public record ObjectCount(String database, String schema, String kind, long source, long target) {
    public ObjectCount {
        Objects.requireNonNull(database, "database must not be null");
        Objects.requireNonNull(schema, "schema must not be null");
        Objects.requireNonNull(kind, "kind must not be null");
    }

    /** Whether both servers agree. */
    public boolean matches() {
        return source == target;
    }
}
