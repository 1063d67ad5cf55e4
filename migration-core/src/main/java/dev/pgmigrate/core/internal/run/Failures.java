package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** The code of a failure, from the exception that ended a step: the one place that reads SQLStates for it. */
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
        if (s.startsWith("08")) {
            return MessageCode.SERVER_UNREACHABLE;
        }
        if (s.startsWith("28")) {
            return MessageCode.LOGIN_FAILED;
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
}
