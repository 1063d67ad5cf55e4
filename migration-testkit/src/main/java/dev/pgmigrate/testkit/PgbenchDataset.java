package dev.pgmigrate.testkit;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.embedded.TestServer;
import dev.pgmigrate.embedded.TestkitSqlException;
import java.util.Map;

/**
 * The four tables of {@code pgbench -i -s <scale>}, built server-side with {@code generate_series}, with the
 * primary keys {@code pgbench -i} adds: {@code pgbench_accounts} (100,000 rows per unit of scale, about 13 MB),
 * {@code pgbench_branches} (1 per unit), {@code pgbench_tellers} (10 per unit) and an empty
 * {@code pgbench_history}.
 *
 * <p>{@code PgbenchDataset.load(server, db, 10);}
 *
 * @since 0.1
 */
@Experimental
public final class PgbenchDataset {
    /** Accounts per unit of scale, as in pgbench. */
    public static final int ACCOUNTS_PER_SCALE = 100_000;

    private PgbenchDataset() {
    }

    /**
     * Creates and fills the tables in {@code database} as the superuser, then runs {@code VACUUM ANALYZE} on them.
     *
     * @param scale pgbench's scale factor, at least 1
     * @throws TestkitSqlException if a statement fails, for example because the tables exist
     */
    public static void load(TestServer server, String database, int scale) {
        requireNonNull(server, "server must not be null");
        requireNonNull(database, "database must not be null");
        if (scale < 1) {
            throw new IllegalArgumentException("scale must be at least 1 but is " + scale);
        }
        server.execute(database,
                "CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))",
                "CREATE TABLE pgbench_tellers (tid int NOT NULL, bid int, tbalance int, filler char(84)) "
                        + "WITH (fillfactor = 100)",
                "CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler char(84)) "
                        + "WITH (fillfactor = 100)",
                "CREATE TABLE pgbench_branches (bid int NOT NULL, bbalance int, filler char(88)) "
                        + "WITH (fillfactor = 100)",
                "INSERT INTO pgbench_branches (bid, bbalance) SELECT bid, 0 FROM generate_series(1, " + scale
                        + ") AS bid",
                "INSERT INTO pgbench_tellers (tid, bid, tbalance) SELECT tid, (tid - 1) / 10 + 1, 0 "
                        + "FROM generate_series(1, " + (10 * scale) + ") AS tid",
                "INSERT INTO pgbench_accounts (aid, bid, abalance, filler) SELECT aid, (aid - 1) / "
                        + ACCOUNTS_PER_SCALE + " + 1, 0, '' FROM generate_series(1, "
                        + ((long) ACCOUNTS_PER_SCALE * scale) + ") AS aid",
                "ALTER TABLE pgbench_branches ADD PRIMARY KEY (bid)",
                "ALTER TABLE pgbench_tellers ADD PRIMARY KEY (tid)",
                "ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid)",
                // One table per VACUUM: 9.6 and 10 take only one.
                "VACUUM ANALYZE pgbench_branches", "VACUUM ANALYZE pgbench_tellers",
                "VACUUM ANALYZE pgbench_accounts", "VACUUM ANALYZE pgbench_history");
    }

    /** The row count of each table at {@code scale}. */
    public static Map<String, Long> expectedRowCounts(int scale) {
        return Map.of("pgbench_accounts", (long) ACCOUNTS_PER_SCALE * scale, "pgbench_branches", (long) scale,
                "pgbench_tellers", 10L * scale, "pgbench_history", 0L);
    }
}
