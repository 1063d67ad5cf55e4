package dev.pgmigrate.embedded;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.core.internal.schema.SqlLexer;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A SQL script as {@code psql} would run it, without needing {@code psql}: plain-format {@code pg_dump} output and
 * hand-written fixtures.
 *
 * <p>Statements end where psql ends them: at a {@code ;} outside quotes, comments, dollar-quoted bodies, parentheses
 * and {@code BEGIN ATOMIC} bodies. A {@code COPY ... FROM stdin}
 * statement takes the lines after it, up to a line {@code \.}, as its data. Lines starting with a backslash where a
 * statement would begin are psql meta-commands ({@code \connect}, {@code \restrict}, ...) and are skipped.
 *
 * <p>{@code SqlScript.parse(text).execute(connection)}
 *
 * @since 0.1
 */
@Experimental
public final class SqlScript {
    /**
     * One statement of a script.
     *
     * @param sql the statement's text, without its terminating {@code ;}
     * @param copyData for {@code COPY ... FROM stdin}, the data lines up to (not including) {@code \.}, each ending
     *     in a newline; else empty
     * @since 0.1
     */
    public record Command(String sql, Optional<String> copyData) {
        public Command {
            requireNonNull(sql, "sql must not be null");
            requireNonNull(copyData, "copyData must not be null");
        }
    }

    private final List<Command> commands;

    private SqlScript(List<Command> commands) {
        this.commands = List.copyOf(commands);
    }

    /** The statements of a script, in order. */
    public List<Command> commands() {
        return commands;
    }

    /**
     * Runs every statement on {@code connection}, in order, in its current transaction mode, feeding
     * {@code COPY} data through the driver's copy API.
     *
     * @return the number of statements run
     * @throws SQLException of the first statement that fails; the message names the statement's start
     */
    public int execute(Connection connection) throws SQLException {
        requireNonNull(connection, "connection must not be null");
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        try (Statement statement = connection.createStatement()) {
            for (Command command : commands) {
                try {
                    if (command.copyData().isPresent()) {
                        copy.copyIn(command.sql(), new StringReader(command.copyData().get()));
                    } else {
                        statement.execute(command.sql());
                    }
                } catch (SQLException e) {
                    String head = command.sql().length() > 120 ? command.sql().substring(0, 120) + "..."
                            : command.sql();
                    throw new SQLException("Script statement failed: " + head + "\n" + e.getMessage(),
                            e.getSQLState(), e);
                } catch (IOException e) {
                    throw new SQLException("Cannot feed COPY data for: " + command.sql(), "58030", e);
                }
            }
        }
        return commands.size();
    }

    /**
     * Splits a script into statements, with the engine's own lexer ({@code SqlLexer}), so fixtures and dumps are
     * split alike: a rule's several actions and a {@code BEGIN ATOMIC} body stay one statement.
     *
     * @throws IllegalArgumentException if a quote, comment, dollar-quoted body or COPY block is not closed
     */
    public static SqlScript parse(String script) {
        requireNonNull(script, "script must not be null");
        List<Command> commands = new ArrayList<>();
        for (SqlLexer.Statement statement : SqlLexer.split(script)) {
            commands.add(new Command(statement.text(), statement.copyData()));
        }
        return new SqlScript(commands);
    }

    @Override
    public String toString() {
        return "SqlScript of " + commands.size() + " statements";
    }
}
