package dev.pgmigrate.copy;

import dev.pgmigrate.api.spi.CopyColumn;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.embedded.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds copy tasks from the catalog and compares table contents, for the tests. */
final class Tables {
    private Tables() {
    }

    /** A task for {@code public.table}, its columns read from the source's catalog as the engine reads them. */
    static CopyTask task(PostgresServer server, String database, String table, Optional<String> rowFilter, int part,
            int parts, boolean freeze) throws SQLException {
        List<CopyColumn> columns = new ArrayList<>();
        try (Connection c = server.connect(database); PreparedStatement ps = c.prepareStatement(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                        + " WHERE attrelid = ('public.' || quote_ident(?))::regclass AND attnum > 0"
                        + " AND NOT attisdropped ORDER BY attnum")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new CopyColumn(rs.getString(1), rs.getString(2), true));
                }
            }
        }
        return new CopyTask(database, "public", table, columns, rowFilter, part, parts, 1, freeze);
    }

    /** Row count and a hash of every row's text, ordered by that text: equal contents, equal digests. */
    static String digest(PostgresServer server, String database, String table) {
        return server.queryForString(database, "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n'"
                + " ORDER BY t::text)), '-') FROM public." + CopyTask.quote(table) + " t");
    }
}
