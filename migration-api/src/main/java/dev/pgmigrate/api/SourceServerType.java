package dev.pgmigrate.api;

/**
 * Where a server runs: for a source, the managed service's {@code sourceType} (every value it lists); for a target,
 * its profile. Managed services give no superuser and hide password hashes, and a role created there cannot be a
 * superuser: validation expects that of a managed source and enforces it on a managed target.
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
    AZURE_FLEXIBLE_SERVER("AzureFlexibleServer", true),
    /** Amazon RDS or Aurora under the service's older, generic name. @since 0.2 */
    AWS("AWS", true),
    /** Google Cloud SQL under the service's older, generic name. @since 0.2 */
    GCP("GCP", true),
    /** EDB Postgres Extended Server, self-hosted. @since 0.2 */
    EDB_POSTGRESQL("EDB_PostgreSQL", false),
    /** The service's own name for {@link #AZURE_FLEXIBLE_SERVER}. @since 0.2 */
    POSTGRESQL_FLEXIBLE_SERVER("PostgreSQLFlexibleServer", true),
    /** Azure Cosmos DB for PostgreSQL. @since 0.2 */
    POSTGRESQL_COSMOS_DB("PostgreSQLCosmosDB", true),
    /** Huawei Cloud RDS for PostgreSQL. @since 0.2 */
    HUAWEI_RDS("Huawei_RDS", true),
    /** PostgreSQL on a Huawei Cloud virtual machine. @since 0.2 */
    HUAWEI_COMPUTE("Huawei_Compute", false),
    /** @since 0.2 */
    HEROKU_POSTGRESQL("Heroku_PostgreSQL", true),
    /** Crunchy Data's PostgreSQL (Crunchy Bridge hands its users a superuser). @since 0.2 */
    CRUNCHY_POSTGRESQL("Crunchy_PostgreSQL", false),
    /** Alibaba Cloud ApsaraDB RDS for PostgreSQL. @since 0.2 */
    APSARADB_RDS("ApsaraDB_RDS", true),
    /** PostgreSQL on a DigitalOcean droplet. @since 0.2 */
    DIGITAL_OCEAN_DROPLETS("Digital_Ocean_Droplets", false),
    /** DigitalOcean Managed PostgreSQL. @since 0.2 */
    DIGITAL_OCEAN_POSTGRESQL("Digital_Ocean_PostgreSQL", true),
    /** @since 0.2 */
    SUPABASE_POSTGRESQL("Supabase_PostgreSQL", true);

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
