package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.core.internal.pg.Sql;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The code and the text of a failure, from the exception that ended a step: the one place that reads SQLStates for
 * its code.
 */
public final class Failures {
    /**
     * Codes that a cause of the environment explains better: the copy or statement failed because its server went
     * away, ran out of disk, or refused a login or a privilege, and that is what the user has to fix.
     */
    private static final Set<MessageCode> SERVER_EXPLAINS = EnumSet.of(MessageCode.UNCLASSIFIED,
            MessageCode.INTERNAL, MessageCode.STATEMENT_FAILED, MessageCode.COPY_FAILED,
            MessageCode.OBJECT_NOT_CREATED, MessageCode.DUMP_FAILED);

    private Failures() {
    }

    /** The code for {@code e}: its own when it is a {@link MigrationException}, else from its SQLState or kind. */
    public static MessageCode code(Throwable e) {
        MessageCode own = e instanceof MigrationException m ? m.code() : MessageCode.INTERNAL;
        if (!SERVER_EXPLAINS.contains(own)) {
            return own;
        }
        Optional<MessageCode> fromCause = fromCauses(e);
        if (fromCause.isPresent() && (own == MessageCode.UNCLASSIFIED || own == MessageCode.INTERNAL
                || fromCause.get() != MessageCode.STATEMENT_FAILED)) {
            return fromCause.get();
        }
        return own;
    }

    /** The code an SQLState gives; {@code STATEMENT_FAILED} for one that names no class we tell apart. */
    public static MessageCode ofSqlState(String state) {
        String s = state == null ? "" : state;
        // The driver's 08004: the server answered and rejected the connection, mostly for a password that
        // nothing gave (or TLS it does not offer). It is there, so not unreachable, and retrying will not help.
        if (s.startsWith("28") || s.equals("08004")) {
            return MessageCode.LOGIN_FAILED;
        }
        // 57P01-57P03: the server ended the session for its shutdown or restart, or refused it while starting up.
        if (s.startsWith("08") || s.equals("57P01") || s.equals("57P02") || s.equals("57P03")) {
            return MessageCode.SERVER_UNREACHABLE;
        }
        if (s.equals("42501")) {
            return MessageCode.PRIVILEGE_MISSING;
        }
        if (s.startsWith("53")) {
            return MessageCode.OUT_OF_RESOURCES;
        }
        return MessageCode.STATEMENT_FAILED;
    }

    private static Optional<MessageCode> fromCauses(Throwable e) {
        MessageCode found = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return Optional.of(MessageCode.SERVER_NOT_ANSWERING); // the driver wraps it in an 08006
            }
            if (t instanceof UnknownHostException || t instanceof ConnectException
                    || t instanceof NoRouteToHostException) {
                return Optional.of(MessageCode.SERVER_UNREACHABLE);
            }
            if (found == null && t instanceof SQLException sql && sql.getSQLState() != null) {
                found = ofSqlState(sql.getSQLState());
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * What to do about a read that timed out: the driver's message says only "Read timed out", not which
     * setting made it time out.
     */
    private static String socketTimeoutHint(Throwable e, MigrationSpec spec) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return " No answer within connection.socketTimeoutSeconds = "
                        + spec.settings().option("connection.socketTimeoutSeconds").orElse("?") + " s from the "
                        + "source server " + spec.source().address() + " or the target server "
                        + spec.target().address() + ": check the network between this machine and them, or raise "
                        + "connection.socketTimeoutSeconds.";
            }
        }
        return "";
    }

    private static boolean connectsTo(ServerSpec server, String address) {
        String host = server.connectHost();
        return address.equals(server.address())
                || address.equals((host.contains(":") ? "[" + host + "]" : host) + ":" + server.port());
    }

    /**
     * The error for the record: a statement's error that no step explained says in which phase ({@code phase}) it
     * came, on which server and in which database; a read that timed out, which setting made it time out.
     */
    static String text(Throwable e, MigrationSpec spec, String phase) {
        return statement(e, spec, phase) + socketTimeoutHint(e, spec);
    }

    private static String statement(Throwable e, MigrationSpec spec, String phase) {
        if (e instanceof MigrationException) {
            return e.getMessage();
        }
        SQLException sql = null;
        for (Throwable t = e; t != null && sql == null; t = t.getCause()) {
            sql = t instanceof SQLException s ? s : null;
        }
        if (sql == null) {
            return e.toString();
        }
        if (sql instanceof Sql.LocatedError located) {
            String address = located.where().substring(0, Math.max(0, located.where().lastIndexOf('/')));
            String database = located.where().substring(located.where().lastIndexOf('/') + 1);
            String server = connectsTo(spec.target(), address) ? "the target server "
                    : connectsTo(spec.source(), address) ? "the source server " : "server ";
            return (located.login() ? "Could not connect during " + phase + " to " : "A statement failed during "
                    + phase + " on ") + server + address + ", database " + database + ": "
                    + sql.getCause().getMessage() + " (SQLState " + sql.getSQLState() + ")";
        }
        return "A statement failed during " + phase + " on the source server " + spec.source().address()
                + " or the target server " + spec.target().address() + ": " + sql.getMessage() + " (SQLState "
                + sql.getSQLState() + ")";
    }
}
