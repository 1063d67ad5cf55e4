package dev.pgmigrate.cli;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationStatus;

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
            case FAILED, IN_PROGRESS, WAITING_FOR_USER_ACTION -> FAILED;
        };
    }

    /**
     * The exit code a failure with {@code code} gives: 69 when a server is gone, 64 for a bad spec or a name that is
     * taken or unknown, else 1.
     */
    static int of(MessageCode code) {
        return switch (code) {
            case SERVER_UNREACHABLE, SERVER_NOT_ANSWERING -> UNAVAILABLE;
            case SPEC_INVALID, MIGRATION_NAME_IN_USE, MIGRATION_NOT_FOUND -> USAGE;
            case VALIDATION_FAILED -> VALIDATION_FAILED;
            case CANCELED -> CANCELED;
            default -> FAILED;
        };
    }
}
