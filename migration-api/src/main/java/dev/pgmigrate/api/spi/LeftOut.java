package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Experimental;
import java.util.Objects;
import java.util.Set;

/**
 * What the spec's selection leaves out of one source database, resolved on the source: relations (tables,
 * views, sequences, ...) that do not move, tables whose rows do not move, by OID on the source, and schemas that do
 * not move with any of their objects.
 *
 * @param relations the relations left out, definition and rows
 * @param rows the relations that move without their rows
 * @param schemas the schemas left out, by name: their functions, types and operators do not move either (their
 *        relations are in {@code relations}); since 0.3
 * @since 0.2
 */
@Experimental
public record LeftOut(Set<Long> relations, Set<Long> rows, Set<String> schemas) {
    /** Nothing left out: the selection takes everything. */
    public static final LeftOut NOTHING = new LeftOut(Set.of(), Set.of(), Set.of());

    public LeftOut {
        relations = Set.copyOf(Objects.requireNonNull(relations, "relations must not be null"));
        rows = Set.copyOf(Objects.requireNonNull(rows, "rows must not be null"));
        schemas = Set.copyOf(Objects.requireNonNull(schemas, "schemas must not be null"));
    }

    /** Relations and rows left out, no schema. */
    public LeftOut(Set<Long> relations, Set<Long> rows) {
        this(relations, rows, Set.of());
    }

    /** Whether the relation {@code oid} moves (its definition at least). */
    public boolean moves(long oid) {
        return !relations.contains(oid);
    }

    /** Whether the rows of {@code oid} move. */
    public boolean movesRows(long oid) {
        return !relations.contains(oid) && !rows.contains(oid);
    }
}
