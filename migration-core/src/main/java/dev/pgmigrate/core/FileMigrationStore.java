package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.Stable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Keeps each migration as a JSON file, {@code <dir>/<namespace>/<name>.json}, written atomically; safe for
 * several processes at once. The directory is readable by its owner only, and no file holds a password. A
 * migration replaced by a later one of its name is kept in {@code <dir>/<namespace>/history/<millis>-<name>.json}.
 *
 * <p>{@code new FileMigrationStore(Path.of(System.getProperty("user.home"), ".pgmigrate"))}
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public final class FileMigrationStore implements MigrationStore {
    private static final String SUFFIX = ".json";

    private final Path directory;
    /**
     * What this store last wrote to each record file, with that file's identity then. Every write goes through a
     * new file renamed into place, so the file is the same one only while nobody wrote it since; an update then
     * starts from what it wrote instead of parsing the file again (the first parse of a JVM costs 30-50 ms).
     */
    private final Map<Path, Written> lastWritten = new ConcurrentHashMap<>();

    private record Written(FileIdentity file, StoredMigration migration) {
    }

    /** Inode (with its device), size and modification time: another write, even in place, changes one of them. */
    private record FileIdentity(Object key, long size, FileTime modified) {
        static Optional<FileIdentity> of(Path file) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return attributes.fileKey() == null ? Optional.empty() : Optional.of(new FileIdentity(
                        attributes.fileKey(), attributes.size(), attributes.lastModifiedTime()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * @param directory where migrations are kept; created (mode 700) when missing
     * @throws MigrationException when it cannot be created or written
     */
    public FileMigrationStore(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory must not be null").toAbsolutePath();
        PrivateDirectory.create(this.directory);
    }

    /**
     * Refuses a state directory that another user owns, as the constructor does, without writing anything: a caller
     * that writes beside the records (the command line's log) asks first. Logs nothing, so it may run before
     * logging is set up.
     *
     * @throws MigrationException ({@code PGM-STATE-STORE-UNUSABLE}) when {@code directory} exists and belongs to
     *     another user
     * @since 0.3
     */
    public static void requireOwnDirectory(Path directory) {
        Objects.requireNonNull(directory, "directory must not be null");
        if (!Files.isDirectory(directory)) {
            return;
        }
        String owner;
        try {
            owner = Files.getOwner(directory).getName();
        } catch (IOException | UnsupportedOperationException e) {
            return; // no owner to check (a file system without one); the store's own use reports what fails
        }
        String me = System.getProperty("user.name");
        if (!owner.equals(me)) {
            throw new MigrationException(MessageCode.STATE_STORE_UNUSABLE,
                    "The state directory " + directory + " belongs to user " + owner + ", not to "
                    + me + ": migration records are kept private to one user. Choose a directory of your own "
                    + "with --state-dir or PGMIGRATE_HOME.");
        }
    }

    /** The directory the store writes to. */
    public Path directory() {
        return directory;
    }

    @Override
    public void create(StoredMigration migration, Function<List<StoredMigration>, Optional<String>> conflicts) {
        Path namespaceDir = directory.resolve(migration.namespace());
        PrivateDirectory.create(namespaceDir);
        NamespaceLock.withLock(namespaceDir, () -> {
            Path file = fileOf(migration.namespace(), migration.name());
            List<StoredMigration> existing = new ArrayList<>(listNotEnded(namespaceDir));
            if (Files.exists(file) && RecordFiles.hasEnded(file)) {
                RecordFiles.read(file).ifPresent(existing::add); // an ended one of the same name is replaced
            }
            Optional<String> conflict = conflicts.apply(existing);
            if (conflict.isPresent()) {
                throw new MigrationException(MessageCode.MIGRATION_STATE_CONFLICT, conflict.get());
            }
            if (Files.exists(file)) {
                RecordFiles.archive(file);
            }
            try {
                Files.deleteIfExists(cancelMarker(migration.namespace(), migration.name()));
                Files.deleteIfExists(cutoverMarker(migration.namespace(), migration.name()));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot clear an old cancel request of " + migration.name(), e);
            }
            write(file, migration);
            return null;
        });
    }

    @Override
    public StoredMigration update(String namespace, String name, UnaryOperator<StoredMigration> change) {
        Path namespaceDir = directory.resolve(namespace);
        return NamespaceLock.withLock(namespaceDir, () -> {
            Path file = fileOf(namespace, name);
            StoredMigration current = unchangedSinceWritten(file).or(() -> RecordFiles.read(file)).orElseThrow(() ->
                    new MigrationException(MessageCode.MIGRATION_NOT_FOUND,
                            "No migration named '" + name + "' is stored for target " + namespace
                            + " in " + directory + "; run 'pgmigrate migration list' to see the names."));
            StoredMigration changed = change.apply(current);
            write(file, changed);
            return changed;
        });
    }

    @Override
    public void requestCancel(String namespace, String name) {
        MigrationStore.super.requestCancel(namespace, name);
        try {
            Files.write(cancelMarker(namespace, name), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the cancel request of " + name, e);
        }
    }

    /** A marker file next to the record, so the running process need not parse the record twice a second. */
    @Override
    public boolean isCancelRequested(String namespace, String name) {
        return Files.exists(cancelMarker(namespace, name));
    }

    @Override
    public void requestCutover(String namespace, String name) {
        MigrationStore.super.requestCutover(namespace, name);
        try {
            Files.write(cutoverMarker(namespace, name), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the cutover request of " + name, e);
        }
    }

    @Override
    public void withdrawCutover(String namespace, String name) {
        MigrationStore.super.withdrawCutover(namespace, name);
        try {
            Files.deleteIfExists(cutoverMarker(namespace, name));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot withdraw the cutover request of " + name, e);
        }
    }

    @Override
    public boolean isCutoverRequested(String namespace, String name) {
        return Files.exists(cutoverMarker(namespace, name));
    }

    private Path cutoverMarker(String namespace, String name) {
        return directory.resolve(namespace).resolve("." + name + ".cutover");
    }

    private Path cancelMarker(String namespace, String name) {
        return directory.resolve(namespace).resolve("." + name + ".cancel");
    }

    @Override
    public Optional<StoredMigration> load(String namespace, String name) {
        return RecordFiles.read(fileOf(namespace, name));
    }

    @Override
    public List<StoredMigration> list() {
        List<StoredMigration> all = new ArrayList<>();
        try (DirectoryStream<Path> namespaces = Files.newDirectoryStream(directory, Files::isDirectory)) {
            for (Path namespaceDir : namespaces) {
                all.addAll(listNamespace(namespaceDir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the migrations in " + directory, e);
        }
        return all;
    }

    @Override
    public List<StoredMigration> history(String namespace, String name) {
        return RecordFiles.history(directory.resolve(namespace), name::equals);
    }

    @Override
    public List<StoredMigration> history() {
        List<StoredMigration> all = new ArrayList<>();
        try (DirectoryStream<Path> namespaces = Files.newDirectoryStream(directory, Files::isDirectory)) {
            for (Path namespaceDir : namespaces) {
                all.addAll(RecordFiles.history(namespaceDir, name -> true));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the migrations in " + directory, e);
        }
        return all;
    }

    private List<StoredMigration> listNamespace(Path namespaceDir) {
        return listNamespace(namespaceDir, file -> true);
    }

    private List<StoredMigration> listNamespace(Path namespaceDir, Predicate<Path> wanted) {
        List<StoredMigration> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(namespaceDir, "*" + SUFFIX)) {
            for (Path file : files) {
                if (wanted.test(file)) {
                    RecordFiles.read(file).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the migrations in " + namespaceDir, e);
        }
        return found;
    }

    /**
     * The migrations of a namespace that have not ended. An ended record is recognised from its status, read
     * without parsing the rest, so starting a migration costs the same beside a thousand finished ones.
     */
    private List<StoredMigration> listNotEnded(Path namespaceDir) {
        return listNamespace(namespaceDir, file -> !RecordFiles.hasEnded(file));
    }

    private Path fileOf(String namespace, String name) {
        return directory.resolve(namespace).resolve(name + SUFFIX);
    }

    private Optional<StoredMigration> unchangedSinceWritten(Path file) {
        Written written = lastWritten.get(file);
        if (written == null || !FileIdentity.of(file).equals(Optional.of(written.file()))) {
            return Optional.empty();
        }
        return Optional.of(written.migration());
    }

    private void write(Path file, StoredMigration migration) {
        lastWritten.remove(file);
        RecordFiles.write(file, migration);
        FileIdentity.of(file).ifPresent(identity -> lastWritten.put(file, new Written(identity, migration)));
    }
}
