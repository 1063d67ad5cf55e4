package dev.pgmigrate.validators;

import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.util.ArrayList;
import java.util.List;

/** I5: the target's major version is the source's or newer; a cross-major move is a Warning. */
public final class TargetVersionValidator extends InstanceValidator {
    public TargetVersionValidator() {
        super("target-version", "The target's major version is at least the source's.", Needs.BOTH);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) {
        ServerFacts source = facts(context.source());
        ServerFacts target = facts(context.target());
        String found = "Source PostgreSQL " + source.version() + " (major " + source.majorLabel() + "), target "
                + target.version() + " (major " + target.majorLabel() + ").";
        if (target.majorNum() < source.majorNum()) {
            return List.of(context.failed(found, "A dump of a newer major does not restore into an older one: "
                    + "syntax, catalogs and data types differ.", "Use a target of major " + source.majorLabel()
                    + " or later.", List.of(source.majorLabel(), target.majorLabel())));
        }
        if (target.majorNum() > source.majorNum()) {
            List<String> notes = releaseNotes(source, target);
            return List.of(context.warning(found, "Each major release between them may change behaviour that "
                    + "applications rely on (removed features, changed defaults, stricter checks).",
                    "Read the 'Migration to Version N' section of the release notes of every major after "
                            + source.majorLabel() + ", and test the applications against the target: "
                            + String.join(" ", notes), notes));
        }
        return List.of(context.succeeded(found));
    }

    /** The release notes URL of each major after the source's, up to the target's. */
    static List<String> releaseNotes(ServerFacts source, ServerFacts target) {
        List<String> urls = new ArrayList<>();
        List<Integer> majors = new ArrayList<>(List.of(90600));
        for (int major = 100000; major <= target.majorNum(); major += 10000) {
            majors.add(major);
        }
        for (int major : majors) {
            if (major > source.majorNum() && major <= target.majorNum()) {
                urls.add("https://www.postgresql.org/docs/release/" + ServerFacts.labelOf(major) + ".0/");
            }
        }
        return urls;
    }
}
