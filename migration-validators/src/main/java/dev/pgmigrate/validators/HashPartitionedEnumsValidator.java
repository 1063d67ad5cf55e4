package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/**
 * D34: partitions of a table hash-partitioned on an enum (11 and later). An enum value hashes by its OID, which the
 * target assigns anew, so a row copied into the partition it had on the source breaks the target's partition bound
 * (SQLSTATE 23514) once a value's OID differs. pg_dump of current minor releases (15.18 here) loads such partitions
 * through their root, as its {@code --load-via-partition-root} does; pgmigrate copies each partition as itself, so it
 * fails them here instead of in the middle of the copy.
 */
public final class HashPartitionedEnumsValidator extends ObjectListValidator {
    public HashPartitionedEnumsValidator() {
        super("hash-partitioned-enums", "Partitions holding rows of tables hash-partitioned on an enum, whose rows the "
                + "target would place by other hashes.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        if (source.versionNum() < 110000) {
            return Optional.empty(); // hash partitioning came in 11
        }
        return Optional.of("WITH RECURSIVE tree AS (SELECT pt.partrelid AS relid FROM pg_partitioned_table pt "
                + "WHERE pt.partstrat = 'h' AND EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = "
                + "oc.opcmethod WHERE oc.oid = ANY (pt.partclass::oid[]) AND oc.opcname = 'enum_ops' AND am.amname = "
                + "'hash' AND oc.opcnamespace = 'pg_catalog'::regnamespace) UNION SELECT i.inhrelid FROM pg_inherits i "
                + "JOIN tree t ON i.inhparent = t.relid) SELECT c.oid::regclass::text FROM tree JOIN pg_class c ON "
                + "c.oid = tree.relid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND "
                + Sql.USER_SCHEMA + Sql.rowsMoved(context, "c.oid")
                // An empty partition copies nothing, so nothing lands outside its bounds.
                + " AND query_to_xml(format('SELECT 1 AS x FROM ONLY %s LIMIT 1', c.oid::regclass), false, true, "
                + "'')::text <> '' ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return source.versionNum() < 110000 ? "PostgreSQL " + source.majorLabel() + " has no hash partitioning."
                : "No table is hash-partitioned on an enum.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.failed(Text.counted(items, "partition", "partitions") + " of tables hash-partitioned on an "
                + "enum would be copied as themselves.", "An enum value hashes by its OID, which differs on the "
                + "target: their rows break the target's partition bounds, and the copy fails.", "Leave their rows "
                + "out (--exclude-table-data, settings.selection.excludeTableData, for each partition listed) and "
                + "load them after the migration through the partitioned table: pg_dump --data-only "
                + "--load-via-partition-root --table='<partition>' for each, into psql on the target.", items);
    }
}
