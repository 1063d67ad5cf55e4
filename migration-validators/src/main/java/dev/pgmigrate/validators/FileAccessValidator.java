package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;
import java.util.Optional;

/** D20: file_fdw, adminpack and functions calling pg_read_file, lo_import or server-side COPY of files. */
public final class FileAccessValidator extends ObjectListValidator {
    public FileAccessValidator() {
        super("file-system-access", "Extensions and functions that read or write the server's files.", false);
    }

    @Override
    Optional<String> query(ValidationContext context, ServerFacts source) {
        return Optional.of("SELECT 'extension ' || extname FROM pg_extension WHERE extname IN ('file_fdw', 'adminpack')"
                + " UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n"
                + " ON n.oid = p.pronamespace WHERE " + Sql.USER_SCHEMA + " AND " + Sql.notExtensionMember("pg_proc", "p")
                + " AND p.prosrc ~* '(pg_read_(binary_)?file|pg_ls_dir|pg_stat_file|lo_import|lo_export"
                + "|copy\\s.*\\s(from|to)\\s+''/|program\\s+'')' ORDER BY 1");
    }

    @Override
    String none(ServerFacts source) {
        return "Nothing reads or writes the server's files.";
    }

    @Override
    ValidationResult found(ValidationContext context, List<String> items) {
        return context.warning(Text.counted(items, "object uses", "objects use") + " the server's file system.",
                "Files on the source server are not copied, paths differ on the target, and managed targets "
                + "forbid server-side file access.", "Copy the files these objects read to the target (or load "
                + "their data into tables), and adapt the paths; on a managed target replace them with "
                + "client-side COPY.", items);
    }
}
