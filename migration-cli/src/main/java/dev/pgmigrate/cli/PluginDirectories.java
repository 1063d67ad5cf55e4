package dev.pgmigrate.cli;

import dev.pgmigrate.core.Plugins;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the command line looks for plugin jars, besides its own class path: each {@code --plugin-path DIR}, the
 * distribution's {@code plugins/} (which its launcher names in the system property {@value #DISTRIBUTION}), and
 * {@code <state-dir>/plugins}. Every jar found there goes on one class loader, so a plugin may bring the jars it
 * needs beside it.
 */
final class PluginDirectories {
    /** The system property in which the distribution's launcher names its {@code plugins/} directory. */
    static final String DISTRIBUTION = "pgmigrate.plugins.dir";

    private PluginDirectories() {
    }

    /** One directory looked in, and why it is looked in. */
    record Directory(Path path, String origin) {
        List<Path> jars() {
            if (!Files.isDirectory(path)) {
                return List.of();
            }
            List<Path> jars = new ArrayList<>();
            try (DirectoryStream<Path> found = Files.newDirectoryStream(path, "*.jar")) {
                found.forEach(jars::add);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list the plugin jars in " + path, e);
            }
            jars.sort(null);
            return jars;
        }
    }

    /**
     * The directories in the order they are searched; a directory given with {@code --plugin-path} must exist.
     *
     * @throws CliException (64) naming a {@code --plugin-path} that is not a directory
     */
    static List<Directory> of(List<Path> pluginPath, Path stateDir) {
        List<Directory> directories = new ArrayList<>();
        for (Path dir : pluginPath) {
            if (!Files.isDirectory(dir)) {
                throw new CliException(ExitCodes.USAGE, "--plugin-path " + dir + " is not a directory. Give the "
                        + "directory that holds the plugin jars.");
            }
            directories.add(new Directory(dir.toAbsolutePath().normalize(), "--plugin-path"));
        }
        String distribution = System.getProperty(DISTRIBUTION);
        if (distribution != null && !distribution.isBlank()) {
            directories.add(new Directory(Path.of(distribution).toAbsolutePath().normalize(), "the distribution"));
        }
        Path statePlugins = stateDir.resolve("plugins");
        requireOnlyYoursToWrite(stateDir, statePlugins);
        directories.add(new Directory(statePlugins, "the state directory"));
        return directories;
    }

    /**
     * A jar in {@code <state-dir>/plugins} runs as whoever runs pgmigrate, so that directory is looked in only when
     * it, and the state directory, are the user's own and no one else may write to it: a state directory of another
     * user, or a plugin directory others can write to, is refused (as the state directory itself is), never read.
     *
     * @throws dev.pgmigrate.api.MigrationException ({@code PGM-STATE-STORE-UNUSABLE}) naming the directory
     */
    static void requireOnlyYoursToWrite(Path stateDir, Path plugins) {
        dev.pgmigrate.core.FileMigrationStore.requireOwnDirectory(stateDir);
        if (!Files.isDirectory(plugins)) {
            return;
        }
        String owner;
        Set<java.nio.file.attribute.PosixFilePermission> permissions;
        try {
            owner = Files.getOwner(plugins).getName();
            permissions = Files.getPosixFilePermissions(plugins);
        } catch (IOException | UnsupportedOperationException e) {
            return; // a file system without owners or POSIX permissions: nothing to judge by
        }
        String me = System.getProperty("user.name");
        boolean othersWrite = permissions.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                || permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
        if (!owner.equals(me) || othersWrite) {
            throw new dev.pgmigrate.api.MigrationException(dev.pgmigrate.api.MessageCode.STATE_STORE_UNUSABLE,
                    "The plugin directory " + plugins + (owner.equals(me) ? " may be written by other users ("
                    + java.nio.file.attribute.PosixFilePermissions.toString(permissions) + ")" : " belongs to user "
                    + owner + ", not to " + me) + ": a jar placed there would run as you. Make it yours and "
                    + "writable by you alone (chmod go-w " + plugins + "), or put the jars in a directory of your "
                    + "own and give it with --plugin-path.");
        }
    }

    /**
     * The plugins on the class path and in the jars of {@code directories}.
     *
     * @throws dev.pgmigrate.api.MigrationException naming the jar when a plugin fails to load or two share an id
     */
    static Plugins discover(List<Directory> directories) {
        Set<Path> jars = new LinkedHashSet<>();
        directories.forEach(d -> jars.addAll(d.jars()));
        ClassLoader parent = PluginDirectories.class.getClassLoader();
        if (jars.isEmpty()) {
            return Plugins.discover(parent);
        }
        URL[] urls = new URL[jars.size()];
        int i = 0;
        for (Path jar : jars) {
            try {
                urls[i++] = jar.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException("A file path made a malformed URL: " + jar, e);
            }
        }
        // Never closed: the plugins' classes are in use until the process ends.
        return Plugins.discover(new URLClassLoader("pgmigrate-plugins", urls, parent));
    }
}
