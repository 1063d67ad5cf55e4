package dev.pgmigrate.api.spi;

import dev.pgmigrate.api.Stable;
import java.util.List;
import java.util.Objects;

/**
 * What the engine read about a server while performing prerequisite steps.
 *
 * @param versionNum {@code server_version_num}, such as {@code 150019} or {@code 90624}
 * @param version {@code server_version}, such as {@code "15.19"}
 * @param currentUser the role the login is
 * @param superuser whether that role is a superuser
 * @param createDb whether it may create databases
 * @param createRole whether it may create roles
 * @param inRecovery whether the server is a standby
 * @param maintenanceDatabase the database the engine connects to for instance-level work, usually
 *     {@code postgres}
 * @param databases the names of every database that accepts connections, templates excluded
 * @since 0.1
 */
@Stable(since = "0.1")
public record ServerFacts(int versionNum, String version, String currentUser, boolean superuser, boolean createDb,
        boolean createRole, boolean inRecovery, String maintenanceDatabase, List<String> databases) {

    public ServerFacts {
        Objects.requireNonNull(version, "version must not be null");
        Objects.requireNonNull(currentUser, "currentUser must not be null");
        Objects.requireNonNull(maintenanceDatabase, "maintenanceDatabase must not be null");
        databases = List.copyOf(Objects.requireNonNull(databases, "databases must not be null"));
    }

    /** The major version: {@code 15} for 15.x, {@code 96} for 9.6.x (as {@code versionNum / 100} before 10). */
    public int majorVersion() {
        return majorOf(versionNum);
    }

    /** The major version as people write it: {@code "15"} or {@code "9.6"}. */
    public String majorLabel() {
        return versionNum >= 100000 ? String.valueOf(versionNum / 10000)
                : (versionNum / 10000) + "." + (versionNum / 100 % 100);
    }

    /** Whether the server is at least {@code major} (write 9.6 as {@code 96}). */
    public boolean atLeast(int major) {
        return majorVersion() >= major;
    }

    /** The major version of a {@code server_version_num}; 9.x majors are two digits, as {@code 96}. */
    public static int majorOf(int versionNum) {
        return versionNum >= 100000 ? versionNum / 10000 : versionNum / 100 % 100 + versionNum / 10000 * 10;
    }
}
