package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.ArrayList;
import java.util.List;

/** I9: the target login may create databases, and roles when roles are migrated. */
public final class TargetPrivilegesValidator extends InstanceValidator {
    public TargetPrivilegesValidator() {
        super("target-privileges", "The target login may create databases, and roles when roles are migrated.",
                Needs.TARGET);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) {
        ServerFacts target = facts(context.target());
        String login = target.currentUser();
        boolean roles = context.spec().settings().migrateRoles();
        if (target.superuser()) {
            return List.of(context.succeeded(login + " is a superuser on the target."));
        }
        List<String> missing = new ArrayList<>();
        if (!target.createDb()) {
            missing.add("CREATEDB");
        }
        if (roles && !target.createRole()) {
            missing.add("CREATEROLE");
        }
        String has = login + " has " + (target.createDb() ? "CREATEDB" : "no CREATEDB") + " and "
                + (target.createRole() ? "CREATEROLE" : "no CREATEROLE") + " on the target"
                + (roles ? "" : "; roles are not migrated") + ".";
        if (missing.isEmpty()) {
            return List.of(context.succeeded(has));
        }
        return List.of(context.failed(has, "pgmigrate creates each database" + (roles ? " and the roles it needs" : "")
                + " on the target as this login.", "Run as a superuser on the target: ALTER ROLE " + login + " "
                + String.join(" ", missing) + ";" + (roles && !target.createRole()
                        ? " Or set migrateRoles to false and create the roles yourself." : ""), missing));
    }
}
