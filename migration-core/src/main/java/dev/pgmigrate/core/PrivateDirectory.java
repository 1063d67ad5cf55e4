package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A directory of the state, and the files in it, readable by their owner only. */
final class PrivateDirectory {
    private static final Logger log = LoggerFactory.getLogger(PrivateDirectory.class);

    private PrivateDirectory() {
    }

    /** Creates {@code dir} (and its parents) when missing, and makes it its owner's alone. */
    static void create(Path dir) {
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
            throw new MigrationException(MessageCode.STATE_STORE_UNUSABLE,
                    "Cannot create the state directory " + dir + ": " + e
                    + ". Choose a writable directory with --state-dir or PGMIGRATE_HOME.", e);
        }
    }

    /**
     * Records hold the journal of what a migration changed and where its passwords come from: a directory another
     * user owns could be read or changed by that user, so it is refused rather than shared.
     */
    private static void refuseShared(Path dir) {
        FileMigrationStore.requireOwnDirectory(dir);
    }

    /** Sets {@code path}'s permissions, such as {@code "rw-------"}, where the file system has POSIX ones. */
    static void setOwnerOnly(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            log.debug("{} has no POSIX permissions to set", path);
        }
    }
}
