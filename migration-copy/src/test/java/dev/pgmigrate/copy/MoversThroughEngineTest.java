package dev.pgmigrate.copy;

import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.MigrationMatrix;
import dev.pgmigrate.testkit.MoverTestKit;
import dev.pgmigrate.testkit.ServerPair;

/** Both movers run by the real engine, which picks one per table, splits large tables and verifies the copy. */
class MoversThroughEngineTest {
    // Sources up to 15: the engine needs a pg_dump at least as new as the source, and this machine has 15's.
    @MigrationMatrix({Fixture.OLDEST, Fixture.UPGRADE})
    void migrateADatabaseWithBothMovers(ServerPair pair) {
        String db = TestDatabases.unique("movers");
        pair.source().createDatabase(db);
        pair.source().execute(db,
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TABLE orders (id bigint PRIMARY KEY, note text, amount numeric(10,2), at timestamptz)",
                "INSERT INTO orders SELECT g, 'order ' || g, g / 3.0, timestamptz '2024-01-01' + g * interval '1 min'"
                        + " FROM generate_series(1, 60000) g",
                "CREATE TABLE moods (id int, history mood[])",
                "INSERT INTO moods SELECT g, ARRAY['ok', 'happy']::mood[] FROM generate_series(1, 1000) g");

        MoverTestKit.movers("binary-copy", "text-copy").source(pair.source()).target(pair.target()).database(db)
                .settings(s -> s.splitTablesLargerThanBytes(1024 * 1024))
                .run()
                .assertThatMigration().succeeded().isVerified()
                .copiedWith("binary-copy", "public.orders")
                .copiedWith("text-copy", "public.moods");
    }
}
