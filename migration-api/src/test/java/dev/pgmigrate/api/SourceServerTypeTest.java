package dev.pgmigrate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every source type the managed service lists is one of ours, spelled as the service spells it. */
class SourceServerTypeTest {
    /** The service's {@code sourceType} values, as its API and CLI list them. */
    private static final List<String> SERVICE_SOURCE_TYPES = List.of("OnPremises", "AWS", "GCP", "AzureVM",
            "PostgreSQLSingleServer", "AWS_RDS", "AWS_AURORA", "AWS_EC2", "GCP_CloudSQL", "GCP_AlloyDB", "GCP_Compute",
            "EDB", "EDB_Oracle_Server", "EDB_PostgreSQL", "PostgreSQLFlexibleServer", "PostgreSQLCosmosDB",
            "Huawei_RDS", "Huawei_Compute", "Heroku_PostgreSQL", "Crunchy_PostgreSQL", "ApsaraDB_RDS",
            "Digital_Ocean_Droplets", "Digital_Ocean_PostgreSQL", "Supabase_PostgreSQL");

    @Test
    void acceptsEverySourceTypeTheServiceListsWithItsSpelling() {
        for (String label : SERVICE_SOURCE_TYPES) {
            assertThat(SourceServerType.fromLabel(label).label()).isEqualTo(label);
            assertThat(SourceServerType.fromLabel(label.toLowerCase(java.util.Locale.ROOT)).label()).isEqualTo(label);
        }
        assertThat(Arrays.stream(SourceServerType.values()).map(SourceServerType::label)).doesNotHaveDuplicates();
        assertThatThrownBy(() -> SourceServerType.fromLabel("Oracle")).hasMessageContaining("Supabase_PostgreSQL");
    }

    @Test
    void managedServicesAreThoseWithoutASuperuserForTheirUsers() {
        assertThat(Arrays.stream(SourceServerType.values()).filter(SourceServerType::isManaged)).containsExactlyInAnyOrder(
                SourceServerType.AWS, SourceServerType.AWS_RDS, SourceServerType.AWS_AURORA, SourceServerType.GCP,
                SourceServerType.GCP_CLOUD_SQL, SourceServerType.GCP_ALLOYDB, SourceServerType.POSTGRESQL_SINGLE_SERVER,
                SourceServerType.AZURE_FLEXIBLE_SERVER, SourceServerType.POSTGRESQL_FLEXIBLE_SERVER,
                SourceServerType.POSTGRESQL_COSMOS_DB, SourceServerType.HUAWEI_RDS, SourceServerType.HEROKU_POSTGRESQL,
                SourceServerType.APSARADB_RDS, SourceServerType.DIGITAL_OCEAN_POSTGRESQL,
                SourceServerType.SUPABASE_POSTGRESQL);
    }
}
