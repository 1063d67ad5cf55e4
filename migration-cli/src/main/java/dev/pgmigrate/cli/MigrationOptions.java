package dev.pgmigrate.cli;

import dev.pgmigrate.api.MigrationSettings;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The selection and workers of {@link SelectionOptions}, and what only a migration does: {@code --skip-analyze}
 * ({@code settings.skipAnalyze}, pgcopydb's {@code --skip-vacuum}). Given on the command line, it wins over the
 * properties file.
 */
final class MigrationOptions extends SelectionOptions {
    @Option(names = "--skip-analyze", description = "Leave the target's tables unanalyzed, their statistics to "
            + "autovacuum, as pg_restore does (settings.skipAnalyze): the migration ends sooner; run "
            + "'vacuumdb --analyze-only' before the applications move.")
    boolean skipAnalyze;

    @Override
    MigrationSettings applyTo(MigrationSettings settings) {
        MigrationSettings selected = super.applyTo(settings);
        return skipAnalyze ? selected.toBuilder().skipAnalyze(true).build() : selected;
    }

    @Override
    List<String> args() {
        List<String> args = new ArrayList<>(super.args());
        if (skipAnalyze) {
            args.add("--skip-analyze");
        }
        return args;
    }
}
