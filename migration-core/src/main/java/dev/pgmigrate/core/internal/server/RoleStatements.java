package dev.pgmigrate.core.internal.server;

import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.server.RolePlan.Membership;
import dev.pgmigrate.core.internal.server.RolePlan.SourceRole;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** The statements that create a source role on the target and grant its memberships. */
public final class RoleStatements {
    private RoleStatements() {
    }

    /**
     * {@code CREATE ROLE} for {@code role} with the attributes the target login may give; each it may not give is
     * added to {@code lost} and left out. The statement may hold a password hash: never log or report it.
     */
    static String create(SourceRole role, Powers powers, List<String> lost) {
        StringBuilder sql = new StringBuilder("CREATE ROLE ").append(Sql.ident(role.name())).append(" WITH");
        sql.append(role.login() ? " LOGIN" : " NOLOGIN").append(role.inherit() ? " INHERIT" : " NOINHERIT");
        sql.append(role.createRole() ? " CREATEROLE" : " NOCREATEROLE");
        attribute(sql, "CREATEDB", role.createDb(), powers.createDb(), lost);
        attribute(sql, "SUPERUSER", role.superuser(), powers.superuser(), lost);
        attribute(sql, "REPLICATION", role.replication(), powers.replication(), lost);
        attribute(sql, "BYPASSRLS", role.bypassRls(), powers.bypassRls(), lost);
        if (role.connectionLimit() >= 0) {
            sql.append(" CONNECTION LIMIT ").append(role.connectionLimit());
        }
        role.validUntil().ifPresent(v -> sql.append(" VALID UNTIL ").append(Sql.literal(v)));
        role.password().ifPresent(p -> sql.append(" PASSWORD ").append(Sql.literal(p.reveal())));
        return sql.toString();
    }

    private static void attribute(StringBuilder sql, String name, boolean wanted, boolean grantable,
            List<String> lost) {
        if (wanted && !grantable) {
            lost.add(name);
        }
        sql.append(wanted && grantable ? " " : " NO").append(name);
    }

    /** {@code GRANT role TO member}, with the options the target's version knows. */
    static String grant(Membership m, ServerFacts target) {
        StringBuilder sql = new StringBuilder("GRANT ").append(Sql.ident(m.role())).append(" TO ")
                .append(Sql.ident(m.member()));
        if (target.atLeast(160000) && m.inherit().isPresent()) {
            sql.append(" WITH ADMIN ").append(m.admin()).append(", INHERIT ").append(m.inherit().get())
                    .append(", SET ").append(m.set().orElse(true));
        } else if (m.admin()) {
            sql.append(" WITH ADMIN OPTION");
        }
        return sql.toString();
    }

    /** Which attributes the target login may give a new role. */
    record Powers(boolean superuser, boolean createDb, boolean replication, boolean bypassRls) {
        static Powers read(Connection c, ServerFacts facts, boolean managed) throws SQLException {
            if (facts.superuser()) {
                return new Powers(!managed, true, true, true);
            }
            String[] own = Sql.rows(c, "SELECT rolcreatedb, rolreplication, rolbypassrls FROM pg_catalog.pg_roles "
                    + "WHERE rolname = current_user").get(0);
            // Before 16 CREATEROLE may grant CREATEDB but not REPLICATION or BYPASSRLS; from 16, what it has.
            boolean since16 = facts.atLeast(160000);
            return new Powers(false, !since16 || "t".equals(own[0]), since16 && "t".equals(own[1]),
                    since16 && "t".equals(own[2]));
        }
    }
}
