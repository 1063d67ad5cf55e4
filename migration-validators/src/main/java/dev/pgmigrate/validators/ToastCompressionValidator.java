package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * D32: columns compressed with lz4 (14+) need a target built with lz4; the option
 * {@code schema.noToastCompression} creates them with the target's default compression instead.
 */
public final class ToastCompressionValidator extends DatabaseValidator {
    /** The engine option that leaves compression methods out of the schema, as pg_dump's --no-toast-compression. */
    static final String OPTION = "schema.noToastCompression";

    public ToastCompressionValidator() {
        super("toast-compression", "Columns compressed with lz4 can keep their compression on the target.", true);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        if (source.versionNum() < 140000) {
            return List.of(context.succeeded("PostgreSQL " + source.majorLabel() + " has no per-column compression."));
        }
        List<String> columns = Sql.strings(connection, "SELECT c.oid::regclass::text || '.' || quote_ident(a.attname)"
                + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid ="
                + " c.relnamespace WHERE a.attcompression = 'l' AND a.attnum > 0 AND NOT a.attisdropped"
                + " AND c.relkind IN ('r', 'p', 'm') AND " + Sql.USER_SCHEMA + Sql.moved(context, "c.oid")
                + " ORDER BY 1");
        if (columns.isEmpty()) {
            return List.of(context.succeeded("No column is compressed with lz4."));
        }
        boolean lz4 = context.targetFact(TargetOffer.LZ4);
        String found = Text.counted(columns, "column is", "columns are") + " compressed with lz4";
        if (lz4) {
            return List.of(context.succeeded(found + "; the target supports lz4."));
        }
        boolean dropped = context.spec().settings().option(OPTION).map(v -> v.trim().equalsIgnoreCase("true"))
                .orElse(false);
        String why = "The target server was built without lz4 (its default_toast_compression offers only pglz)";
        if (dropped) {
            return List.of(context.warning(found + "; the target has no lz4, and " + OPTION + " is on.", why
                    + ": these columns are created with its default compression, and the copy compresses their "
                    + "values with it. Nothing is lost but the choice of method.", "Nothing to do; set the "
                    + "method again after the migration on a server that has lz4, if it matters.", columns));
        }
        return List.of(context.failed(found + "; the target has no lz4.", why + ", so creating these columns "
                + "fails (compression method lz4 not supported) after the migration has begun.", "Set settings."
                + "options." + OPTION + " to true to create them with the target's default compression (pg_dump's "
                + "--no-toast-compression), or run ALTER TABLE ... ALTER COLUMN ... SET COMPRESSION pglz on the "
                + "source, or migrate to a server built with lz4 (--with-lz4).", columns));
    }
}
