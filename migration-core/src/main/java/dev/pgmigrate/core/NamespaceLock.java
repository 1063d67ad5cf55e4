package dev.pgmigrate.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/** The lock of one namespace directory of a {@link FileMigrationStore}: one writer at a time, of any process. */
final class NamespaceLock {
    /** One monitor per lock file, for the threads of this JVM: the file lock itself belongs to the process. */
    private static final ConcurrentMap<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();

    private NamespaceLock() {
    }

    /** Runs {@code action} holding the lock of {@code namespaceDir}, against this JVM's threads and other processes. */
    static <T> T withLock(Path namespaceDir, Supplier<T> action) {
        PrivateDirectory.create(namespaceDir);
        Path lockFile = namespaceDir.resolve(".lock");
        // A file lock keeps other processes out; the OS grants it to the whole JVM (a second channel on the same file
        // would overlap), so this JVM's threads queue for the same file first, and only for the same file.
        synchronized (JVM_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new Object())) {
            try (FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                            "rw-------")));
                    FileLock ignored = channel.lock()) {
                return action.get();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot lock " + lockFile, e);
            }
        }
    }
}
