package dev.pgmigrate.cli;

import dev.pgmigrate.api.MigrationStatus;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;

/** The documented exit codes of {@code pgmigrate}, after sysexits.h where one fits. */
final class ExitCodes {
    /** The migration succeeded, or the command did what it was asked. */
    static final int SUCCEEDED = 0;
    /** The migration failed, or the command could not do what it was asked. */
    static final int FAILED = 1;
    /** A premigration check failed. */
    static final int VALIDATION_FAILED = 2;
    /** The migration was canceled. */
    static final int CANCELED = 3;
    /** Bad usage: an unknown option, a bad value, a bad properties file (EX_USAGE). */
    static final int USAGE = 64;
    /** A server could not be reached (EX_UNAVAILABLE). */
    static final int UNAVAILABLE = 69;

    private ExitCodes() {
    }

    /** The exit code a migration that ended with {@code status} gives. */
    static int of(MigrationStatus status) {
        return switch (status) {
            case SUCCEEDED -> SUCCEEDED;
            case VALIDATION_FAILED -> VALIDATION_FAILED;
            case CANCELED -> CANCELED;
            case FAILED, IN_PROGRESS -> FAILED;
        };
    }

    /**
     * Whether {@code e} or one of its causes says a server could not be reached: an unknown host, a refused or
     * timed-out connection (SQLState class 08 before any server answered). A wrong password is not one.
     */
    static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof ConnectException
                    || t instanceof NoRouteToHostException || t instanceof SocketTimeoutException) {
                return true;
            }
            if (t instanceof SQLException sql && "08001".equals(sql.getSQLState())) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
