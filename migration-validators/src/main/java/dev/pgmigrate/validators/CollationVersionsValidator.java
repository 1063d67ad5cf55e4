package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Optional;

/** ICU or libc collation versions that differ between the servers: text indexes may sort differently. */
public final class CollationVersionsValidator extends DatabaseValidator {
    public CollationVersionsValidator() {
        super("collation-versions", "Collations used in the database have the same version on the target.", true);
    }

    @Override
    public Set<DatabaseFact<?>> databaseFacts() {
        return Set.of(Collations.USED);
    }

    @Override
    List<ValidationResult> check(ValidationContext context, ServerFacts source, Connection connection)
            throws SQLException {
        if (source.versionNum() < 100000) {
            return List.of(context.succeeded("PostgreSQL " + source.majorLabel() + " records no collation "
                    + "versions."));
        }
        List<Collations.Collation> used = new ArrayList<>(context.fact(Collations.USED,
                context.database().orElseThrow()));
        Collations.databaseLocale(connection, source, context.database().orElseThrow())
                .filter(d -> d.version().isPresent())
                .ifPresent(d -> used.add(new Collations.Collation("database", "default", d.provider(),
                        d.locale().orElse(d.collate()), d.version())));
        Collations.Offer offer = context.targetFact(Collations.OFFER);
        List<String> differ = new ArrayList<>();
        int compared = 0;
        for (Collations.Collation collation : used) {
            Optional<String> theirs = offer.version(collation.qualifiedName(), collation.provider(),
                    collation.locale());
            if (collation.version().isPresent() && theirs.isPresent()) {
                compared++;
                if (!collation.version().get().equals(theirs.get())) {
                    differ.add(collation.qualifiedName() + ": source " + collation.version().get() + ", target "
                            + theirs.get());
                }
            }
        }
        if (differ.isEmpty()) {
            return List.of(context.succeeded(compared + " collation versions compared; none differs."));
        }
        return List.of(context.warning(Text.counted(differ, "collation has", "collations have") + " another "
                + "version on the target.", "A new ICU or C library version may sort some strings differently: "
                + "indexes on text built on the target follow the new order, and results ordered by text may "
                + "change.", "Nothing breaks in the copy, since indexes are rebuilt on the target; check queries "
                + "that depend on text order, and run ALTER COLLATION ... REFRESH VERSION where the target warns.",
                differ));
    }
}
