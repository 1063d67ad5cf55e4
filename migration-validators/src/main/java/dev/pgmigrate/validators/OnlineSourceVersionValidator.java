package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.List;

/** O1: an Online migration streams the source's changes with pgoutput, which needs PostgreSQL 10 or later. */
public final class OnlineSourceVersionValidator extends InstanceValidator {
    public OnlineSourceVersionValidator() {
        super("online-source-version", "Online: the source runs PostgreSQL 10 or later (pgoutput).", Needs.SOURCE);
    }

    @Override
    boolean applies(ValidationContext context) {
        return Online.requested(context);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) {
        ServerFacts source = facts(context.source());
        if (Online.streams(source)) {
            return List.of(context.succeeded("The source runs PostgreSQL " + source.version() + ": publications "
                    + "and the pgoutput plugin are there to stream its changes."));
        }
        return List.of(context.failed("The source runs PostgreSQL " + source.version() + "; online migration needs "
                + "source 10 or later (pgoutput); migrate Offline.", "An Online migration streams the source's "
                + "changes through a publication and the pgoutput logical decoding plugin, which PostgreSQL 10 "
                + "brought; " + source.majorLabel() + " has neither.", "Migrate Offline (migrationMode Offline) with "
                + "the source's writers stopped, or upgrade the source to 10 or later first.",
                List.of(source.version())));
    }
}
