package dev.pgmigrate.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.Stable;
import dev.pgmigrate.core.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each migration as a JSON file, {@code <dir>/<namespace>/<name>.json}, written atomically; safe for
 * several processes at once. The directory is readable by its owner only, and no file holds a password.
 *
 * <p>{@code new FileMigrationStore(Path.of(System.getProperty("user.home"), ".pgmigrate"))}
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public final class FileMigrationStore implements MigrationStore {
    private static final Logger log = LoggerFactory.getLogger(FileMigrationStore.class);
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
        createPrivateDirectory(this.directory);
    }

    /** The directory the store writes to. */
    public Path directory() {
        return directory;
    }

    @Override
    public void create(StoredMigration migration, Function<List<StoredMigration>, Optional<String>> conflicts) {
        Path namespaceDir = directory.resolve(migration.namespace());
        createPrivateDirectory(namespaceDir);
        withLock(namespaceDir, () -> {
            Optional<String> conflict = conflicts.apply(listNotEnded(namespaceDir));
            if (conflict.isPresent()) {
                throw new MigrationException(conflict.get());
            }
            Path file = fileOf(migration.namespace(), migration.name());
            if (Files.exists(file)) {
                archive(file);
            }
            try {
                Files.deleteIfExists(cancelMarker(migration.namespace(), migration.name()));
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
        return withLock(namespaceDir, () -> {
            Path file = fileOf(namespace, name);
            StoredMigration current = unchangedSinceWritten(file).or(() -> read(file)).orElseThrow(() ->
                    new MigrationException("No migration named '" + name + "' is stored for target " + namespace
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

    private Path cancelMarker(String namespace, String name) {
        return directory.resolve(namespace).resolve("." + name + ".cancel");
    }

    @Override
    public Optional<StoredMigration> load(String namespace, String name) {
        return read(fileOf(namespace, name));
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

    private List<StoredMigration> listNamespace(Path namespaceDir) {
        return listNamespace(namespaceDir, file -> true);
    }

    private List<StoredMigration> listNamespace(Path namespaceDir, java.util.function.Predicate<Path> wanted) {
        List<StoredMigration> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(namespaceDir, "*" + SUFFIX)) {
            for (Path file : files) {
                if (wanted.test(file)) {
                    read(file).ifPresent(found::add);
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
        return listNamespace(namespaceDir, file -> !hasEnded(file));
    }

    /** Whether the record's {@code record.status} is a final one; false when it cannot tell (then it is parsed). */
    private static boolean hasEnded(Path file) {
        try (JsonParser parser = Json.mapper().getFactory().createParser(file.toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean record = "record".equals(parser.currentName());
                if (parser.nextToken() != JsonToken.START_OBJECT || !record) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if ("status".equals(field)) {
                        return value == JsonToken.VALUE_STRING
                                && !MigrationStatus.IN_PROGRESS.label().equals(parser.getText());
                    }
                    parser.skipChildren();
                }
                return false;
            }
            return false;
        } catch (IOException e) {
            return false; // read() reports what is wrong with the file
        }
    }

    private Path fileOf(String namespace, String name) {
        return directory.resolve(namespace).resolve(name + SUFFIX);
    }

    private static Optional<StoredMigration> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readValue(file.toFile(), StoredMigration.class));
        } catch (IOException e) {
            throw new MigrationException("Cannot read the migration record " + file + ": " + e.getMessage()
                    + ". Move the file aside if it was edited by hand or written by a newer pgmigrate.", e);
        }
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
        writeFile(file, migration);
        FileIdentity.of(file).ifPresent(identity -> lastWritten.put(file, new Written(identity, migration)));
    }

    private static void writeFile(Path file, StoredMigration migration) {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.write(temp, Json.mapper().writeValueAsBytes(migration));
            setOwnerOnly(temp, "rw-------");
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the migration record " + file, e);
        }
    }

    private static void archive(Path file) {
        try {
            Path history = file.resolveSibling("history");
            createPrivateDirectory(history);
            Files.move(file, history.resolve(System.currentTimeMillis() + "-" + file.getFileName()),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot archive the earlier migration record " + file, e);
        }
    }

    /** One monitor per lock file, for the threads of this JVM: the file lock itself belongs to the process. */
    private static final java.util.concurrent.ConcurrentMap<Path, Object> JVM_LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static <T> T withLock(Path namespaceDir, java.util.function.Supplier<T> action) {
        createPrivateDirectory(namespaceDir);
        Path lockFile = namespaceDir.resolve(".lock");
        // A file lock keeps other processes out; the OS grants it to the whole JVM (a second channel on the same file
        // would overlap), so this JVM's threads queue for the same file first, and only for the same file.
        synchronized (JVM_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new Object())) {
            try (FileChannel channel = FileChannel.open(lockFile, java.util.Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                            "rw-------")));
                    FileLock ignored = channel.lock()) {
                return action.get();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot lock " + lockFile, e);
            }
        }
    }

    private static void createPrivateDirectory(Path dir) {
        try {
            if (Files.isDirectory(dir)) {
                refuseShared(dir);
            } else {
                try {
                    Files.createDirectories(dir.getParent());
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException e) {
                    log.debug("{} was created concurrently", dir);
                }
            }
            setOwnerOnly(dir, "rwx------");
        } catch (IOException e) {
            throw new MigrationException("Cannot create the state directory " + dir + ": " + e
                    + ". Choose a writable directory with --state-dir or PGMIGRATE_HOME.", e);
        }
    }

    /**
     * Records hold the journal of what a migration changed and where its passwords come from: a directory another
     * user owns could be read or changed by that user, so it is refused rather than shared.
     */
    private static void refuseShared(Path dir) throws IOException {
        try {
            String owner = Files.getOwner(dir).getName();
            String me = System.getProperty("user.name");
            if (!owner.equals(me)) {
                throw new MigrationException("The state directory " + dir + " belongs to user " + owner + ", not to "
                        + me + ": migration records are kept private to one user. Choose a directory of your own "
                        + "with --state-dir or PGMIGRATE_HOME.");
            }
        } catch (UnsupportedOperationException e) {
            log.debug("{} has no owner to check", dir);
        }
    }

    private static void setOwnerOnly(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            log.debug("{} has no POSIX permissions to set", path);
        }
    }
}
