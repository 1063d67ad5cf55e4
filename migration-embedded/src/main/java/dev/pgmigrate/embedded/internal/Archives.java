package dev.pgmigrate.embedded.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Extracts PostgreSQL archives into a cache shared by threads and JVMs. Internal: promises nothing. */
public final class Archives {
    private static final Logger log = LoggerFactory.getLogger(Archives.class);
    private static final ConcurrentHashMap<Path, Object> IN_JVM_LOCKS = new ConcurrentHashMap<>();

    private Archives() {
    }

    /** Where an archive's bytes come from. */
    public interface Source {
        /** Opens the {@code .txz} stream. */
        InputStream open() throws IOException;

        /** Where the archive is, for messages. */
        String description();
    }

    /**
     * Returns {@code cacheRoot/version}, extracting the archive there first unless it is already. The archive
     * is extracted with {@code tar -xJf} as {@link #buildOnce} builds.
     */
    public static Path extractOnce(String version, Path cacheRoot, Supplier<Source> source) {
        return buildOnce(cacheRoot.resolve(version), temp -> {
            Source from = source.get();
            long start = System.nanoTime();
            try (InputStream in = from.open()) {
                Processes.run(List.of("tar", "--no-same-owner", "-xJf", "-", "-C", temp.toString()),
                        Optional.empty(), Optional.of(in));
            }
            log.info("Extracted PostgreSQL {} from {} in {} ms", version, from.description(),
                    (System.nanoTime() - start) / 1_000_000);
        });
    }

    /** Fills a new directory. */
    public interface Filler {
        /** Puts the content into {@code directory}, which exists and is empty. */
        void fill(Path directory) throws IOException;
    }

    /**
     * Returns {@code target}, building it first unless it exists. It is built in a temporary sibling directory,
     * then renamed into place atomically, under a lock file, so threads and JVMs that race all see either nothing
     * or a complete tree, and only one of them builds it.
     */
    public static Path buildOnce(Path target, Filler filler) {
        Path absolute = target.toAbsolutePath().normalize();
        Path root = absolute.getParent();
        String name = absolute.getFileName().toString();
        if (Files.isDirectory(absolute)) {
            return absolute;
        }
        // FileChannel locks belong to the JVM, so threads of one JVM must also exclude each other.
        synchronized (IN_JVM_LOCKS.computeIfAbsent(absolute, t -> new Object())) {
            try {
                createTraversable(root);
                Path lockFile = root.resolve(name + ".lock");
                try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                        FileLock ignored = channel.lock()) {
                    if (Files.isDirectory(absolute)) {
                        return absolute;
                    }
                    Path temp = Files.createTempDirectory(root, name + ".building-");
                    try {
                        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
                        filler.fill(temp);
                        try {
                            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
                        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                            throw new IOException("Cannot rename " + temp + " to " + absolute, e);
                        }
                    } finally {
                        if (Files.exists(temp)) {
                            FileTrees.delete(temp);
                        }
                    }
                    return absolute;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create " + absolute + ": " + e.getMessage() + ". Check that "
                        + root + " is writable and that tar and xz are installed (apt-get install xz-utils).", e);
            }
        }
    }

    /** Creates {@code dir} and its parents, each new one world-traversable (mode 755). */
    public static void createTraversable(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createTraversable(parent);
        }
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (FileAlreadyExistsException e) {
            // Another thread or JVM created it first; that is fine.
        }
    }
}
