package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import org.junit.jupiter.api.Test;

@PostgresTest
class SmokeMigrationTest {
    @Test
    void migratesASmallDatabase(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("smoke"));
        source.execute(db,
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL UNIQUE, m mood, moods mood[])",
                "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id int REFERENCES customer, "
                        + "amount numeric(10,2), at timestamptz DEFAULT now(), total numeric GENERATED ALWAYS AS (amount * 2) STORED)",
                "CREATE INDEX ON orders (customer_id)",
                "INSERT INTO customer (name, m, moods) SELECT 'c' || g, 'ok', ARRAY['sad','happy']::mood[] FROM generate_series(1, 1000) g",
                "INSERT INTO orders (customer_id, amount) SELECT 1 + g % 1000, g / 7.0 FROM generate_series(1, 20000) g",
                "SELECT lo_from_bytea(0, 'hello')");
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationSpec spec = MigrationSpec.builder().name("smoke-" + db.hashCode() % 1000 + 1000)
                    .source(source.serverSpec()).target(target.serverSpec()).databases(db)
                    .settings(MigrationSettings.builder().parallelism(2).splitTablesLargerThanBytes(1024 * 1024).build())
                    .build();
            MigrationRecord done = service.start(spec).await();
            assertThat(done.errors()).isEmpty();
            assertThat(done.status()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification()).isPresent();
            assertThat(done.verification().get().matches()).isTrue();
            assertThat(target.queryForLong(db, "SELECT count(*) FROM orders")).isEqualTo(20000);
        }
    }
}
