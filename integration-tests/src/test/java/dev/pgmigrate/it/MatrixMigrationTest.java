package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PagilaDataset;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.DataSnapshot;
import dev.pgmigrate.testkit.EverythingDataset;
import dev.pgmigrate.testkit.MigrationMatrix;
import dev.pgmigrate.testkit.SchemaSnapshot;
import dev.pgmigrate.testkit.ServerPair;
import java.util.ArrayList;
import java.util.List;

/**
 * The "everything" dataset and pagila migrate across versions and arrive identical, compared object by object
 * ({@link SchemaSnapshot}: definitions, owners, privileges, comments, rules, event triggers, collations, the
 * database's own privileges and settings) and row by row ({@link DataSnapshot}, apart from the engine's own
 * checksums).
 */
class MatrixMigrationTest {
    @MigrationMatrix({"9.6->15", "11->17", "14->18", "15->18", "15->15"})
    void migratesEverythingAndPagilaIdentically(ServerPair pair) throws Exception {
        List<String> databases = new ArrayList<>();
        String everything = pair.source().createDatabase(TestDatabases.unique("everything"));
        EverythingDataset.load(pair.source(), everything);
        // A table large enough to be split in ranges, and one in use by a sequence.
        pair.source().execute(everything, "CREATE TABLE everything.split_me (id bigint PRIMARY KEY, v text)",
                "INSERT INTO everything.split_me SELECT g, md5(g::text) FROM generate_series(1, 60000) g");
        databases.add(everything);
        boolean pagila = pair.source().versionNum() >= PagilaDataset.MINIMUM_VERSION_NUM;
        String pagilaDb = null;
        if (pagila) {
            pagilaDb = pair.source().createDatabase(TestDatabases.unique("pagila"));
            PagilaDataset.load(pair.source(), pagilaDb);
            databases.add(pagilaDb);
        }
        pair.target().execute("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '"
                + EverythingDataset.READER_ROLE + "') THEN CREATE ROLE " + EverythingDataset.READER_ROLE
                + "; END IF; END $$");

        MigrationSpec spec = MigrationSpec.builder().name("matrix-" + everything.replace('_', '-'))
                .source(pair.source().serverSpec()).target(pair.target().serverSpec()).databases(databases)
                .option(MigrationOption.MIGRATE)
                .settings(MigrationSettings.builder().parallelism(2).splitTablesLargerThanBytes(1024 * 1024).build())
                .build();
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(spec).await();
            assertThat(done.status()).as("%s %s", done.errors(), done.notes()).isEqualTo(MigrationStatus.SUCCEEDED);
            assertThat(done.verification()).isPresent();
            assertThat(done.verification().get().tableMismatches()).isEmpty();
            assertThat(done.verification().get().objectMismatches()).isEmpty();
            assertThat(done.verification().get().tables()).hasSizeGreaterThan(10);

            TableProgress split = table(done, everything, "split_me");
            assertThat(split.parts()).isGreaterThan(1);
            assertThat(split.rows()).isEqualTo(60000);
            assertThat(done.database(everything).orElseThrow().tables())
                    .anyMatch(t -> t.moverId().orElse("").equals("text-copy"))
                    .anyMatch(t -> t.moverId().orElse("").equals("binary-copy"));
        }
        for (String db : databases) {
            assertThat(SchemaSnapshot.of(pair.target(), db).differences(SchemaSnapshot.of(pair.source(), db)))
                    .as("schema of %s", db).isEmpty();
            assertThat(DataSnapshot.of(pair.target(), db).differences(DataSnapshot.of(pair.source(), db)))
                    .as("rows of %s", db).isEmpty();
        }
        if (pagila) {
            assertThat(pair.target().queryForLong(pagilaDb, "SELECT count(*) FROM public.rental"))
                    .isEqualTo(PagilaDataset.SOME_ROW_COUNTS.get("rental"));
        }
    }

    private static TableProgress table(MigrationRecord record, String db, String name) {
        DatabaseProgress progress = record.database(db).orElseThrow();
        return progress.tables().stream().filter(t -> t.table().equals(name)).findFirst().orElseThrow();
    }
}
