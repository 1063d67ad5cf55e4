package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;

/** I4: the source runs PostgreSQL 9.5 or later. */
public final class SourceVersionValidator extends InstanceValidator {
    static final int OLDEST_SUPPORTED = 90500;

    public SourceVersionValidator() {
        super("source-version", "The source runs PostgreSQL 9.5 or later.", Needs.SOURCE);
    }

    /** Whether a source reporting {@code server_version_num} = {@code versionNum} can be migrated. */
    static ValidationStatus classify(int versionNum) {
        return versionNum >= OLDEST_SUPPORTED ? ValidationStatus.SUCCEEDED : ValidationStatus.FAILED;
    }

    @Override
    List<ValidationResult> check(ValidationContext context) {
        return List.of(result(context, facts(context.source())));
    }

    /** The result for a source with these facts; separate so a rewritten answer can be checked. */
    static ValidationResult result(ValidationContext context, ServerFacts source) {
        String found = "The source runs PostgreSQL " + source.version() + " (server_version_num "
                + source.versionNum() + ").";
        if (classify(source.versionNum()) == ValidationStatus.SUCCEEDED) {
            return context.succeeded(found);
        }
        return context.failed(found, "pgmigrate reads catalogs and uses snapshot export as PostgreSQL 9.5 and "
                + "later have them; older servers are out of support since long.", "Upgrade the source to 9.5 or "
                + "later in place (pg_upgrade), or move it with pg_dump and pg_restore.", List.of(source.version()));
    }
}
