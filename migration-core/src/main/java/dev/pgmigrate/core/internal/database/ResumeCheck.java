package dev.pgmigrate.core.internal.database;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Before a resume: do the tables kept from before still have, on the source, the rows that were copied? */
public final class ResumeCheck {
    private ResumeCheck() {
    }

    /** One line per kept table whose source row count differs from the stored one; empty when none does. */
    public static List<String> changedTables(MigrationSpec spec, MigrationRecord record) {
        ServerConnector source = new ServerConnector(spec.source(), spec.settings());
        List<String> changed = new ArrayList<>();
        for (DatabaseProgress db : record.databases()) {
            List<TableProgress> kept = db.tables().stream().filter(t -> t.state() == TableState.COMPLETED).toList();
            if (kept.isEmpty()) {
                continue;
            }
            try (Connection c = source.openReadOnly(db.database())) {
                for (int from = 0; from < kept.size(); from += 200) {
                    List<TableProgress> batch = kept.subList(from, Math.min(kept.size(), from + 200));
                    StringBuilder query = new StringBuilder();
                    for (int i = 0; i < batch.size(); i++) {
                        query.append(i == 0 ? "" : " UNION ALL ").append("SELECT ").append(i).append(", count(*) FROM ONLY ")
                                .append(Sql.qualified(batch.get(i).schema(), batch.get(i).table()));
                    }
                    for (String[] row : Sql.rows(c, query.toString())) {
                        TableProgress t = batch.get(Integer.parseInt(row[0]));
                        long now = Long.parseLong(row[1]);
                        if (now != t.rows()) {
                            changed.add(db.database() + "." + t.qualifiedName() + ": " + t.rows() + " rows copied, "
                                    + now + " on the source now");
                        }
                    }
                }
            } catch (SQLException e) {
                throw new MigrationException(MessageCode.RESUME_REFUSED,
                        "Cannot check the source before resuming: " + e.getMessage()
                        + " (SQLState " + e.getSQLState() + "). Make sure the source is reachable.", e);
            }
        }
        return changed;
    }
}
