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

    /**
     * The major version's first number: {@code 15} for 15.x, and {@code 9} for every 9.x (use {@link #majorNum()}
     * to tell 9.5 from 9.6).
     */
    public int majorVersion() {
        return versionNum / 10000;
    }

    /** The version number of the major release, comparable across eras: {@code 150000}, {@code 90600}. */
    public int majorNum() {
        return majorNumOf(versionNum);
    }

    /** The major version as people write it: {@code "15"} or {@code "9.6"}. */
    public String majorLabel() {
        return labelOf(versionNum);
    }

    /** Whether the server's {@code server_version_num} is at least {@code versionNum}, such as {@code 140000}. */
    public boolean atLeast(int versionNum) {
        return this.versionNum >= versionNum;
    }

    /** Whether both servers run the same major release. */
    public boolean sameMajorAs(ServerFacts other) {
        return majorNum() == other.majorNum();
    }

    /** The major release of a {@code server_version_num}: 150019 gives 150000, 90624 gives 90600. */
    public static int majorNumOf(int versionNum) {
        return versionNum >= 100000 ? versionNum / 10000 * 10000 : versionNum / 100 * 100;
    }

    /** {@code "15"} for 150019, {@code "9.6"} for 90624. */
    public static String labelOf(int versionNum) {
        return versionNum >= 100000 ? String.valueOf(versionNum / 10000)
                : (versionNum / 10000) + "." + (versionNum / 100 % 100);
    }
}
