package dev.pgmigrate.core;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.core.internal.schema.PgTools;
import java.nio.file.Path;
import java.util.List;

/** The {@code pg_dump} programs a migration can use on this machine, where it looks for them. */
public final class PgDumps {
    private PgDumps() {
    }

    /** A pg_dump found: its path, its major version in {@code server_version_num} form, and its version line. */
    public record Found(Path path, int majorNum, String version) {
    }

    /**
     * Every pg_dump found, newest first, in {@code settings.pgDumpDirectory}, on the {@code PATH} and in Debian's
     * {@code /usr/lib/postgresql}; each place looked in is added to {@code searched}.
     */
    public static List<Found> find(MigrationSettings settings, List<String> searched) {
        return PgTools.candidates(settings, searched).stream().map(d -> new Found(d.path(), d.majorNum(),
                d.version())).toList();
    }
}
