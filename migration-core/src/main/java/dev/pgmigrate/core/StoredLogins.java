package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.Failures;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this process can log in to a server of a stored migration before it acts on it: a resume or a rollback
 * that cannot would fail half way and end the record, so the caller refuses instead, changing nothing. A password
 * given as plain text is not stored with a migration, so another process may well have none.
 */
final class StoredLogins {
    private static final Logger log = LoggerFactory.getLogger(StoredLogins.class);

    private StoredLogins() {
    }

    /** Why a login to a server of a stored migration failed: {@code LOGIN_FAILED} or {@code SERVER_UNREACHABLE}. */
    record Failure(MessageCode code, String reason) {
    }

    /**
     * Logs in to {@code server} once; empty when it takes the login, or cannot be reached (the act then says so
     * itself), else why it refused the login.
     *
     * @param role {@code "source"} or {@code "target"}, for the reason's text
     */
    static Optional<String> refusal(ServerSpec server, MigrationSettings settings, String role) {
        return attempt(server, settings, role).filter(f -> f.code() == MessageCode.LOGIN_FAILED).map(Failure::reason);
    }

    /** Logs in to {@code server} once; empty when it takes the login, else why not: refused, or not reached. */
    static Optional<Failure> attempt(ServerSpec server, MigrationSettings settings, String role) {
        try (Connection ignored = new ServerConnector(server, settings).open("postgres")) {
            log.debug("The {} server {} takes the login of {}", role, server.address(), server.adminLogin());
            return Optional.empty();
        } catch (SQLException e) {
            if (Failures.ofSqlState(e.getSQLState()) != MessageCode.LOGIN_FAILED) {
                log.debug("The {} server {} cannot be reached", role, server.address(), e);
                return Optional.of(new Failure(MessageCode.SERVER_UNREACHABLE, "the " + role + " server "
                        + server.address() + " cannot be reached: " + Sql.firstLine(e.getMessage())));
            }
            if (server.password().isEmpty()) {
                return Optional.of(new Failure(MessageCode.LOGIN_FAILED, "the " + role + " server "
                        + server.address() + " needs the password of " + server.adminLogin() + ", and this process "
                        + "has none (given as plain text, it is not stored with the migration)"));
            }
            return Optional.of(new Failure(MessageCode.LOGIN_FAILED, "the " + role + " server " + server.address()
                    + " refuses the login of " + server.adminLogin() + ": " + Sql.firstLine(e.getMessage())
                    + " (SQLState " + e.getSQLState() + ")"));
        }
    }
}
