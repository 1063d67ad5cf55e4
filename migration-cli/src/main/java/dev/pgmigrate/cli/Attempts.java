package dev.pgmigrate.cli;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.report.MigrationReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The attempts of a migration name on a target: each earlier migration of that name that {@code create --replace}
 * replaced, kept in the history, then the current one. Numbered from 1, the oldest.
 */
final class Attempts {
    private Attempts() {
    }

    /** One attempt, found by {@link #find}. */
    record Attempt(MigrationRecord record, ServerSpec target, int number, int of) {
        boolean current() {
            return number == of;
        }

        /** Its report: the current one's with the phase times kept in the store, an earlier one's from its record. */
        MigrationReport report(MigrationService service) {
            return current() ? service.report(record.name(), target).orElseThrow() : MigrationReport.of(record);
        }
    }

    /** A migration of the list, with its attempt number. */
    record Numbered(MigrationRecord record, int attempt) {
    }

    /**
     * The attempt {@code number} of the migration called {@code name} on the target {@code --target-server} chooses,
     * or its current one when {@code number} is null.
     *
     * @throws CliException (64) when there is no such migration or attempt
     */
    static Attempt find(Cli cli, MigrationService service, String name, TargetServerOption server,
            Integer number) {
        ServerSpec target = server.of(cli, service, name);
        MigrationRecord current = service.show(name, target).orElseThrow();
        List<MigrationRecord> all = new ArrayList<>(service.history(name, target));
        all.add(current);
        if (number == null) {
            return new Attempt(current, target, all.size(), all.size());
        }
        if (number < 1 || number > all.size()) {
            throw new CliException(ExitCodes.USAGE, "Migration " + name + " on target " + target.address() + " has "
                    + (all.size() == 1 ? "one attempt, 1" : "attempts 1 to " + all.size()) + "; 'pgmigrate "
                    + "migration list --all' lists them.");
        }
        return new Attempt(all.get(number - 1), target, number, all.size());
    }

    /** Every migration with its earlier attempts, newest first, each numbered among those of its name and target. */
    static List<Numbered> all(MigrationService service) {
        List<MigrationRecord> records = new ArrayList<>(service.list());
        records.addAll(service.history());
        records.sort(Comparator.comparing(MigrationRecord::createdAt));
        Map<String, Integer> counts = new HashMap<>();
        List<Numbered> numbered = new ArrayList<>();
        for (MigrationRecord r : records) {
            String key = MigrationService.namespaceOf(r.spec().target()) + "/" + r.name();
            numbered.add(new Numbered(r, counts.merge(key, 1, Integer::sum)));
        }
        numbered.sort(Comparator.comparing((Numbered n) -> n.record().createdAt()).reversed());
        return numbered;
    }
}
