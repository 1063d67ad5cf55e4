package dev.pgmigrate.api;

/**
 * Where a server runs: for a source, the managed service's {@code sourceType}; for a target, its profile. Managed
 * services give no superuser and hide password hashes, and a role created there cannot be a superuser.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum SourceServerType implements Labeled {
    ON_PREMISES("OnPremises", false),
    AZURE_VM("AzureVM", false),
    AWS_RDS("AWS_RDS", true),
    AWS_AURORA("AWS_AURORA", true),
    GCP_CLOUD_SQL("GCP_CloudSQL", true),
    /** @since 0.2 */
    AWS_EC2("AWS_EC2", false),
    /** @since 0.2 */
    GCP_ALLOYDB("GCP_AlloyDB", true),
    /** @since 0.2 */
    GCP_COMPUTE("GCP_Compute", false),
    /** EDB Postgres Advanced Server, self-hosted. @since 0.2 */
    EDB("EDB", false),
    /** @since 0.2 */
    EDB_ORACLE_SERVER("EDB_Oracle_Server", false),
    /** Azure Database for PostgreSQL single server. @since 0.2 */
    POSTGRESQL_SINGLE_SERVER("PostgreSQLSingleServer", true),
    /** Azure Database for PostgreSQL flexible server, the managed service's own target. @since 0.2 */
    AZURE_FLEXIBLE_SERVER("AzureFlexibleServer", true);

    private final String label;
    private final boolean managed;

    SourceServerType(String label, boolean managed) {
        this.label = label;
        this.managed = managed;
    }

    @Override
    public String label() {
        return label;
    }

    /** Whether the server is a managed service, where no login is a true superuser. */
    public boolean isManaged() {
        return managed;
    }

    /** Parses a label such as {@code "AWS_RDS"}, ignoring case. */
    public static SourceServerType fromLabel(String label) {
        return Labeled.fromLabel(SourceServerType.class, label);
    }
}
