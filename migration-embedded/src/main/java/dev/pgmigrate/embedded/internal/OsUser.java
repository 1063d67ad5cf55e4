package dev.pgmigrate.embedded.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The operating-system user PostgreSQL runs as. PostgreSQL refuses to run as root, so when this JVM is root
 * the server programs run as another user (system property {@value #PROPERTY}, default {@code nobody}) through
 * {@code runuser}, or {@code setpriv} where {@code runuser} is missing. Internal: promises nothing.
 */
public final class OsUser {
    /** System property naming the user servers run as when the JVM runs as root. */
    public static final String PROPERTY = "pgmigrate.testkit.osUser";

    private static final boolean ROOT = detectRoot();

    private OsUser() {
    }

    /** Whether this JVM runs as root (effective uid 0). */
    public static boolean isRoot() {
        return ROOT;
    }

    /** The user server programs run as, or empty when they run as this JVM's own user. */
    public static java.util.Optional<String> serverUser() {
        if (!ROOT) {
            return java.util.Optional.empty();
        }
        String configured = System.getProperty(PROPERTY);
        return java.util.Optional.of(configured == null || configured.isBlank() ? "nobody" : configured.trim());
    }

    /** {@code command} prefixed so that it runs as {@link #serverUser()}. */
    public static List<String> asServerUser(List<String> command) {
        var user = serverUser();
        if (user.isEmpty()) {
            return command;
        }
        List<String> full = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser"))) {
            full.addAll(List.of(Files.isExecutable(Path.of("/usr/sbin/runuser")) ? "/usr/sbin/runuser"
                    : "/sbin/runuser", "-u", user.get(), "--"));
        } else {
            String[] ids = ids(user.get());
            full.addAll(List.of("setpriv", "--reuid=" + ids[0], "--regid=" + ids[1], "--clear-groups", "--"));
        }
        full.addAll(command);
        return full;
    }

    /** The primary group id of {@code user} from {@code /etc/passwd}, or null if unknown. */
    static String primaryGroupId(String user) {
        String[] ids = ids(user);
        return ids == null ? null : ids[1];
    }

    /** The group name of {@code gid} from {@code /etc/group}, or the gid itself if unknown. */
    static String groupName(String gid) {
        for (String line : lines(Path.of("/etc/group"))) {
            String[] f = line.split(":");
            if (f.length > 2 && f[2].equals(gid)) {
                return f[0];
            }
        }
        return gid;
    }

    private static String[] ids(String user) {
        for (String line : lines(Path.of("/etc/passwd"))) {
            String[] f = line.split(":");
            if (f.length > 3 && f[0].equals(user)) {
                return new String[] {f[2], f[3]};
            }
        }
        throw new IllegalStateException("No OS user '" + user + "' in /etc/passwd to run PostgreSQL as. Create it, "
                + "or name another unprivileged user with -D" + PROPERTY + "=USER.");
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean detectRoot() {
        for (String line : lines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                String[] f = line.substring(4).trim().split("\\s+");
                return f.length > 1 && f[1].equals("0");
            }
        }
        return "root".equals(System.getProperty("user.name"));
    }
}
