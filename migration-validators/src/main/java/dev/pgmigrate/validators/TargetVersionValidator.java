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
        if (rank(target) < rank(source)) {
            return List.of(context.failed(found, "A dump of a newer major does not restore into an older one: "
                    + "syntax, catalogs and data types differ.", "Use a target of major " + source.majorLabel()
                    + " or later.", List.of(source.majorLabel(), target.majorLabel())));
        }
        if (rank(target) > rank(source)) {
            List<String> notes = releaseNotes(source, target);
            return List.of(context.warning(found, "Each major release between them may change behaviour that "
                    + "applications rely on (removed features, changed defaults, stricter checks).",
                    "Read the 'Migration to Version N' section of the release notes of every major after "
                            + source.majorLabel() + ", and test the applications against the target: "
                            + String.join(" ", notes), notes));
        }
        return List.of(context.succeeded(found));
    }

    /** Orders majors: 905, 906, 1000, 1100, ... ({@code ServerFacts.majorVersion()} puts 96 above 10). */
    static int rank(ServerFacts facts) {
        int num = facts.versionNum();
        return num >= 100000 ? num / 10000 * 100 : num / 100;
    }

    /** The release notes URL of each major after the source's, up to the target's. */
    static List<String> releaseNotes(ServerFacts source, ServerFacts target) {
        List<String> urls = new ArrayList<>();
        for (int major : new int[] {906, 1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900, 2000}) {
            if (major > rank(source) && major <= rank(target)) {
                String label = major < 1000 ? "9." + (major % 100) : String.valueOf(major / 100);
                urls.add("https://www.postgresql.org/docs/release/" + label + ".0/");
            }
        }
        return urls;
    }
}
