package dev.pgmigrate.embedded.internal;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;

/** Deletes and re-owns directory trees. Internal: promises nothing. */
public final class FileTrees {
    private FileTrees() {
    }

    /** Deletes {@code root} and everything under it; a missing tree is fine. */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Gives {@code root} and everything under it to the OS user {@code user} and that user's group. */
    public static void chown(Path root, String user) throws IOException {
        UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(user);
        GroupPrincipal group = primaryGroup(lookup, user);
        try (var paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                view.setOwner(owner);
                if (group != null) {
                    view.setGroup(group);
                }
            }
        }
    }

    private static GroupPrincipal primaryGroup(UserPrincipalLookupService lookup, String user) {
        String gid = OsUser.primaryGroupId(user);
        if (gid == null) {
            return null;
        }
        try {
            return lookup.lookupPrincipalByGroupName(OsUser.groupName(gid));
        } catch (IOException e) {
            return null; // the owner alone is enough for PostgreSQL; the group is cosmetic
        }
    }
}
