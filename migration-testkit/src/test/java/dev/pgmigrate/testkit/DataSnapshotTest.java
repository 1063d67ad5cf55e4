package dev.pgmigrate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import org.junit.jupiter.api.Test;

@PostgresTest
class DataSnapshotTest {

    @Test
    void namesTheTableWhoseRowsDifferAndIgnoresOrderAndFloatSpelling(@Pg("11") PostgresServer older,
            @Pg("17") PostgresServer newer) {
        String db = TestDatabases.unique("rows");
        older.createDatabase(db);
        newer.createDatabase(db);
        try {
            older.execute(db, "CREATE TABLE t (id int, x float8, m money, v text)",
                    "INSERT INTO t VALUES (1, 0.1, 1.5, 'a'), (2, 1e-300, -3, NULL)", "CREATE TABLE u (id int)");
            // Another column order, rows inserted in another order: the same contents.
            newer.execute(db, "CREATE TABLE t (v text, m money, x float8, id int)",
                    "INSERT INTO t VALUES (NULL, -3, 1e-300, 2), ('a', 1.5, 0.1, 1)", "CREATE TABLE u (id int)");
            assertThat(DataSnapshot.of(newer, db).differences(DataSnapshot.of(older, db))).isEmpty();

            newer.execute(db, "UPDATE t SET v = 'b' WHERE id = 1", "CREATE TABLE extra (id int)");
            assertThat(DataSnapshot.of(newer, db).differences(DataSnapshot.of(older, db))).containsExactly(
                    "extra table public.extra (0 rows)",
                    "rows of public.t differ: 2 expected, 2 here; missing <id=1 m=$1.50 v=a x=0.1>, "
                            + "extra <id=1 m=$1.50 v=b x=0.1>");
        } finally {
            older.dropDatabase(db);
            newer.dropDatabase(db);
        }
    }
}
