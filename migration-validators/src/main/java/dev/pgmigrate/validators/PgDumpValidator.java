package dev.pgmigrate.validators;

import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The engine copies the schema with {@code pg_dump}: one of the source's major or newer must be at hand. */
public final class PgDumpValidator extends InstanceValidator {
    private static final Logger log = LoggerFactory.getLogger(PgDumpValidator.class);
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?");

    public PgDumpValidator() {
        super("pg-dump-available", "A pg_dump of the source's major version or newer is available.", Needs.SOURCE);
    }

    /** A {@code pg_dump} found on disk, and the version it printed. */
    record Found(Path path, String version, int rank) {
    }

    /** The major of {@code pg_dump --version} output as {@code ServerFacts.majorNum()} has it; empty when unreadable. */
    static Optional<Integer> rank(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        if (!m.find()) {
            return Optional.empty();
        }
        int major = Integer.parseInt(m.group(1));
        return Optional.of(major >= 10 ? major * 10000 : major * 10000 + Integer.parseInt(m.group(2)) * 100);
    }

    @Override
    List<ValidationResult> check(ValidationContext context) {
        ServerFacts source = facts(context.source());
        int need = source.majorNum();
        Optional<String> configured = context.spec().settings().pgDumpDirectory();
        List<Path> dirs = candidates(configured);
        List<Found> found = new ArrayList<>();
        for (Path dir : dirs) {
            Path exe = dir.resolve("pg_dump");
            if (Files.isExecutable(exe)) {
                version(exe).ifPresent(v -> rank(v).ifPresent(r -> found.add(new Found(exe, v, r))));
            }
            // The configured one, when new enough, is the one the migration runs: the others are not asked (the
            // one on Debian's PATH is a Perl wrapper, the longest of the checks at 40-200 ms).
            if (configured.isPresent() && dir.equals(dirs.get(0)) && !found.isEmpty() && found.get(0).rank() >= need) {
                dirs = List.of(dir);
                break;
            }
        }
        List<String> items = found.stream().map(f -> f.path() + ": " + f.version()).toList();
        String looked = "Looked in " + Text.counted(dirs.stream().map(Path::toString).toList(), "directory",
                "directories");
        Optional<Found> usable = found.stream().filter(f -> f.rank() >= need).findFirst();
        if (usable.isPresent()) {
            return List.of(context.result(ValidationStatus.SUCCEEDED, "Found "
                    + usable.get().path() + " (" + usable.get().version() + "), able to dump PostgreSQL "
                    + source.majorLabel() + ". " + looked + ".", "", "", items));
        }
        return List.of(context.failed(looked + " and found " + (found.isEmpty() ? "no pg_dump"
                : Text.counted(items, "pg_dump", "pg_dumps") + ", all older than the source's major "
                        + source.majorLabel()) + ".", "The schema is copied with pg_dump, which refuses a server of "
                + "a newer major than its own.", "Install the PostgreSQL " + source.majorLabel() + " client tools "
                + "or newer (Debian/Ubuntu: apt-get install postgresql-client-" + source.majorLabel() + "; Debian "
                + "12 itself ships only 15, so a newer major comes from the PostgreSQL project's own apt repository, "
                + "apt.postgresql.org) and point settings.pgDumpDirectory at their bin directory (such as "
                + "/usr/lib/postgresql/" + source.majorLabel() + "/bin).", items));
    }

    private static List<Path> candidates(Optional<String> configured) {
        Set<Path> dirs = new LinkedHashSet<>();
        configured.map(Path::of).ifPresent(dirs::add);
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(java.io.File.pathSeparator)) {
                if (!entry.isBlank()) {
                    dirs.add(Path.of(entry));
                }
            }
        }
        for (String parent : List.of("/usr/lib/postgresql", "/usr/local/pgsql", "/opt/homebrew/opt")) {
            Path base = Path.of(parent);
            if (Files.isDirectory(base)) {
                try (Stream<Path> children = Files.list(base)) {
                    children.sorted(Comparator.reverseOrder()).forEach(child -> dirs.add(child.resolve("bin")));
                } catch (IOException e) {
                    log.debug("Cannot list {}; skipping it", base, e);
                }
            }
        }
        return List.copyOf(dirs);
    }

    private static Optional<String> version(Path exe) {
        try {
            Process process = new ProcessBuilder(exe.toString(), "--version").redirectErrorStream(true).start();
            try (InputStream out = process.getInputStream()) {
                String text = new String(out.readNBytes(4096), StandardCharsets.UTF_8).trim();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return Optional.empty();
                }
                return Optional.of(text);
            }
        } catch (IOException e) {
            log.debug("Cannot run {} --version", exe, e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationCanceledException("Canceled while running " + exe + " --version");
        }
    }
}
