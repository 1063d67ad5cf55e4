package dev.pgmigrate.core.internal.schema;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.PasswordFile;
import dev.pgmigrate.core.internal.run.CancelSignal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds and runs {@code pg_dump}: a version at least the source's major, never a password on its command line. */
public final class PgTools {
    private static final Logger log = LoggerFactory.getLogger(PgTools.class);
    /** pg_dump speaks UTF-8 to pgmigrate; only a SQL_ASCII database can hold bytes that are not. */
    private static final String NOT_UTF8 = "The database's definitions hold bytes that are not UTF-8: a SQL_ASCII "
            + "database's comment, default, enum label or function body written in another encoding. Find them "
            + "(convert_to(text, 'UTF8') raises an error on them) and rewrite them in UTF-8, or move this database "
            + "with pg_dump, which keeps SQL_ASCII on both ends.";
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");

    /** A {@code pg_dump} found on this machine. */
    public record PgDump(Path path, int majorNum, String version) {
    }

    private PgTools() {
    }

    /** Every pg_dump found, where it was looked for, newest first. */
    public static List<PgDump> candidates(MigrationSettings settings, List<String> searched) {
        List<Path> dirs = new ArrayList<>();
        settings.pgDumpDirectory().map(Path::of).ifPresent(dirs::add);
        String path = System.getenv("PATH");
        if (path != null) {
            Stream.of(path.split(java.io.File.pathSeparator)).filter(p -> !p.isBlank()).map(Path::of).forEach(dirs::add);
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.map(v -> v.resolve("bin")).sorted(Comparator.reverseOrder()).forEach(dirs::add);
            } catch (IOException e) {
                log.debug("Cannot list {}", debian, e);
            }
        }
        List<PgDump> found = new ArrayList<>();
        for (Path dir : dirs) {
            Path candidate = dir.resolve("pg_dump");
            searched.add(candidate.toString());
            if (Files.isExecutable(candidate) && found.stream().noneMatch(d -> same(d.path(), candidate))) {
                version(candidate).ifPresent(found::add);
            }
        }
        return found;
    }

    /**
     * The pg_dump to use for a source: from the configured directory if it is new enough, else the newest
     * found.
     *
     * @throws MigrationException saying where it looked when none is new enough
     */
    public static PgDump pgDumpFor(ServerFacts source, MigrationSettings settings) {
        // The configured one, when new enough, without running every other pg_dump on the machine for its version
        // (the one on Debian's PATH is a Perl wrapper: tens of milliseconds before the first dump can start).
        Optional<PgDump> configured = settings.pgDumpDirectory().map(dir -> Path.of(dir).resolve("pg_dump"))
                .filter(Files::isExecutable).flatMap(PgTools::version);
        if (configured.isPresent() && configured.get().majorNum() >= source.majorNum()) {
            return configured.get();
        }
        List<String> searched = new ArrayList<>();
        List<PgDump> found = candidates(settings, searched);
        return found.stream().filter(d -> d.majorNum() >= source.majorNum())
                .max(Comparator.comparingInt(PgDump::majorNum))
                .orElseThrow(() -> new MigrationException(MessageCode.DUMP_FAILED,
                        "No pg_dump of major version " + source.majorLabel()
                        + " or later was found to read the source (found: " + found.stream()
                        .map(d -> d.path() + " " + d.version()).toList() + "; searched: " + searched + "). Install "
                        + "PostgreSQL " + source.majorLabel() + "+ client tools, or set settings.pgDumpDirectory."));
    }

    private static Optional<PgDump> version(Path pgDump) {
        Path output = null;
        try {
            output = Files.createTempFile("pgmigrate-version-", ".txt");
            // Its output goes to a file, so a program that never ends is given up after 10 s, not waited for.
            Process p = new ProcessBuilder(pgDump.toString(), "--version").redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.debug("{} --version did not answer within 10 s", pgDump);
                return Optional.empty();
            }
            if (p.exitValue() != 0) {
                return Optional.empty();
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            Matcher m = VERSION.matcher(out);
            if (!m.find()) {
                return Optional.empty();
            }
            int first = Integer.parseInt(m.group(1));
            // The same convention as ServerFacts.majorNum(): 9.6 is 90600, 15 is 150000.
            int major = first < 10 ? first * 10000 + (m.group(2) == null ? 0 : Integer.parseInt(m.group(2))) * 100
                    : first * 10000;
            return Optional.of(new PgDump(pgDump, major, out.trim()));
        } catch (IOException e) {
            log.debug("Cannot run {}", pgDump, e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationCanceledException("Canceled while looking for pg_dump", e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException e) {
                    log.debug("Cannot remove {}", output, e);
                }
            }
        }
    }

    private static boolean same(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs pg_dump in plain format for one section, on {@code snapshot}, and returns the script.
     *
     * @param section {@code "pre-data"} or {@code "post-data"}
     */
    public static String dump(PgDump pgDump, ServerSpec server, MigrationSettings settings, String database,
            String snapshot, String section, CancelSignal cancel) throws IOException, InterruptedException {
        return dump(pgDump, server, settings, database, snapshot, section, List.of(), cancel);
    }

    /**
     * Runs pg_dump as {@link #dump(PgDump, ServerSpec, MigrationSettings, String, String, String, CancelSignal)}
     * does, with {@code extra} options such as {@code --create}.
     */
    public static String dump(PgDump pgDump, ServerSpec server, MigrationSettings settings, String database,
            String snapshot, String section, List<String> extra, CancelSignal cancel)
            throws IOException, InterruptedException {
        removeDumpDirectoriesOfDeadProcesses();
        Path work = Files.createTempDirectory(DUMP_PREFIX + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path passFile = work.resolve("pgpass");
        Path output = work.resolve("dump.sql");
        Path errors = work.resolve("stderr.txt");
        try {
            // No password in the spec: the one the user's password file holds, as the driver found it for the
            // engine's own connections; pg_dump reads only this private file.
            String password = server.password().or(() -> PasswordFile.lookup(server, database))
                    .map(Secret::reveal).orElse("");
            Files.writeString(passFile, "*:*:*:*:" + pgpassEscape(password) + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(passFile, PosixFilePermissions.fromString("rw-------"));
            List<String> command = new ArrayList<>(List.of(pgDump.path().toString(), "--section=" + section,
                    // In UTF-8 whatever the database's encoding: the script is read as UTF-8, as the driver speaks.
                    "--format=plain", "--no-password", "--quote-all-identifiers", "--encoding=UTF8", "--file=" + output,
                    "--dbname=" + conninfo(server, settings, database)));
            if (snapshot != null) {
                command.add("--snapshot=" + snapshot);
            }
            command.addAll(extra);
            ProcessBuilder pb = new ProcessBuilder(watched(command, work)).redirectError(errors.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("PG"));
            env.put("PGPASSFILE", passFile.toString());
            env.put("PGAPPNAME", "pgmigrate-pg_dump");
            Process process = pb.start();
            try {
                while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
                    if (cancel.isCanceled()) {
                        throw new MigrationCanceledException("Canceled while pg_dump ran");
                    }
                }
            } finally {
                if (process.isAlive()) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
                process.getOutputStream().close();
            }
            if (process.exitValue() != 0) {
                String stderr = Files.readString(errors, StandardCharsets.UTF_8).trim();
                throw new MigrationException(MessageCode.DUMP_FAILED,
                        "pg_dump --section=" + section + " of database " + database
                        + " failed (exit " + process.exitValue() + "): " + stderr + ". "
                        + (stderr.contains("invalid byte sequence for encoding \"UTF8\"") ? NOT_UTF8
                        : "Fix what it says; premigration validation reports most causes."));
            }
            try {
                return Files.readString(output, StandardCharsets.UTF_8);
            } catch (java.nio.charset.CharacterCodingException e) {
                // The server refuses to send them as UTF-8 (above); should a pg_dump write them, say what they are.
                throw new MigrationException(MessageCode.DUMP_FAILED, "pg_dump --section=" + section
                        + " of database " + database + " wrote bytes that are not UTF-8. " + NOT_UTF8, e);
            }
        } finally {
            for (Path p : new Path[] {passFile, output, errors, work}) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static final String DUMP_PREFIX = "pgmigrate-dump-";
    private static final Path SHELL = Path.of("/bin/sh");

    /**
     * A watchdog around pg_dump, so that it never outlives this process: the shell runs pg_dump and a watcher
     * that reads the pipe from this process, which only this process holds open. When this process dies, even
     * by SIGKILL, the pipe ends, and the watcher kills pg_dump and removes {@code work} with its password file
     * at once. No Java API ties a child's life to its parent's.
     */
    private static List<String> watched(List<String> command, Path work) {
        if (!Files.isExecutable(SHELL)) {
            return command; // no POSIX shell: the next run removes what a killed one left
        }
        String script = "work=$1; shift; exec 3<&0 </dev/null; \"$@\" 3<&- & dump=$!; "
                + "( while read -r _ <&3; do :; done; rm -rf \"$work\"; kill -KILL \"$dump\" 2>/dev/null ) & "
                + "watcher=$!; exec 3<&-; wait \"$dump\"; status=$?; kill \"$watcher\" 2>/dev/null; exit $status";
        List<String> wrapped = new ArrayList<>(List.of(SHELL.toString(), "-c", script, "pgmigrate-pg_dump",
                work.toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * A process killed while pg_dump ran leaves its work directory, with a private password file in it; the next
     * process removes those of processes that are gone.
     */
    private static void removeDumpDirectoriesOfDeadProcesses() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> dirs = Files.list(tmp)) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(DUMP_PREFIX)).toList()) {
                String rest = dir.getFileName().toString().substring(DUMP_PREFIX.length());
                int dash = rest.indexOf('-');
                if (dash <= 0 || !rest.substring(0, dash).chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(rest.substring(0, dash));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(dir);
                log.debug("Removed {} left by a dead process", dir);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("Could not look for dump directories left by dead processes", e);
        }
    }

    /** A libpq connection string; values quoted as libpq requires. Holds no password. */
    static String conninfo(ServerSpec server, MigrationSettings settings, String database) {
        StringBuilder sb = new StringBuilder();
        append(sb, "host", server.connectHost());
        append(sb, "port", String.valueOf(server.port()));
        append(sb, "user", server.adminLogin());
        append(sb, "dbname", database);
        append(sb, "sslmode", server.sslMode().label());
        append(sb, "connect_timeout", String.valueOf(Math.max(2, settings.connectTimeout().toSeconds())));
        settings.option("ssl.rootCert").ifPresent(v -> append(sb, "sslrootcert", v));
        return sb.toString().trim();
    }

    private static void append(StringBuilder sb, String key, String value) {
        sb.append(key).append("='").append(value.replace("\\", "\\\\").replace("'", "\\'")).append("' ");
    }

    private static String pgpassEscape(String value) {
        return value.replace("\\", "\\\\").replace(":", "\\:");
    }
}
