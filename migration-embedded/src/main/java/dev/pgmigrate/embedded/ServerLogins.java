package dev.pgmigrate.embedded;

import dev.pgmigrate.api.Secret;
import dev.pgmigrate.embedded.internal.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The logins of a server that just started: the superuser gets the server's own password (the data directory
 * copied from the {@link InitdbTemplate} still has the template's), and a {@link ServerProfile#MANAGED} server
 * gets its admin login {@value PostgresServer#MANAGED_ADMIN}.
 */
final class ServerLogins {
    private ServerLogins() {
    }

    static void setUp(PostgresServer server, Secret templatePassword) {
        String encryption = server.binaries().usesScram() ? "scram-sha-256" : "on";
        try (Connection c = server.connect("postgres", PostgresServer.SUPERUSER, templatePassword);
                Statement st = c.createStatement()) {
            st.execute("SET password_encryption = '" + encryption + "'");
            st.execute("ALTER ROLE " + PostgresServer.SUPERUSER + " PASSWORD "
                    + Sql.quoteLiteral(server.superuserPassword().reveal()));
        } catch (SQLException e) {
            throw Sql.failure("set the superuser password of " + server, e);
        }
        if (server.profile() == ServerProfile.MANAGED) {
            server.execute("postgres",
                    "SET password_encryption = '" + encryption + "'",
                    "CREATE ROLE " + PostgresServer.MANAGED_ADMIN + " LOGIN CREATEDB CREATEROLE PASSWORD "
                            + Sql.quoteLiteral(server.adminPassword().reveal()),
                    "GRANT pg_signal_backend TO " + PostgresServer.MANAGED_ADMIN);
        }
    }
}
