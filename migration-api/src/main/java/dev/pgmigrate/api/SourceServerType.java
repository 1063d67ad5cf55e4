package dev.pgmigrate.api;

/**
 * Where the source server runs. Managed services give no superuser and hide password hashes.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public enum SourceServerType implements Labeled {
    ON_PREMISES("OnPremises", false),
    AZURE_VM("AzureVM", false),
    AWS_RDS("AWS_RDS", true),
    AWS_AURORA("AWS_AURORA", true),
    GCP_CLOUD_SQL("GCP_CloudSQL", true);

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
