package dev.pgmigrate.copy;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.ServerPair;
import java.sql.SQLException;
import java.util.Optional;

/** A source and a target server and the one database a test works in, created on both. */
record Fixture(PostgresServer source, PostgresServer target, String db) {
    /** Two servers of the newest version. */
    static final String SAME = "17->17";
    /** An upgrade, as most migrations are. */
    static final String UPGRADE = "15->17";
    /** The oldest source the product supports. */
    static final String OLDEST = "9.6->17";

    static Fixture of(ServerPair pair, String prefix) {
        String db = TestDatabases.unique(prefix);
        pair.source().createDatabase(db);
        pair.target().createDatabase(db);
        return new Fixture(pair.source(), pair.target(), db);
    }

    void onBoth(String... sql) {
        source.execute(db, sql);
        target.execute(db, sql);
    }

    void drop() {
        source.dropDatabase(db);
        target.dropDatabase(db);
    }

    TestCopyContext open() throws SQLException {
        return open(MigrationSettings.defaults());
    }

    TestCopyContext open(MigrationSettings settings) throws SQLException {
        return TestCopyContext.open(source.connect(db), target.connect(db), settings);
    }

    CopyTask task(String table) throws SQLException {
        return Tables.task(source, db, table, Optional.empty(), 1, 1, false);
    }

    CopyTask task(String table, Optional<String> rowFilter, int part, int parts, boolean freeze) throws SQLException {
        return Tables.task(source, db, table, rowFilter, part, parts, freeze);
    }

    String onSource(String sql) {
        return source.queryForString(db, sql);
    }

    String onTarget(String sql) {
        return target.queryForString(db, sql);
    }

    /** Asserts nothing; returns both sides' digests of {@code table} as {@code [source, target]}. */
    String[] digests(String table) {
        return new String[] {Tables.digest(source, db, table), Tables.digest(target, db, table)};
    }
}
