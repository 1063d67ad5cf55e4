package dev.pgmigrate.core.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationCanceledException;
import dev.pgmigrate.api.MigrationException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The code of a failure comes from its type and SQLState; a server gone or full explains what it broke. */
class FailuresTest {
    @Test
    void sqlStatesGiveTheirClass() {
        assertThat(Failures.code(new SQLException("gone", "08006"))).isEqualTo(MessageCode.SERVER_UNREACHABLE);
        assertThat(Failures.code(new SQLException("terminating connection due to administrator command", "57P01")))
                .isEqualTo(MessageCode.SERVER_UNREACHABLE);
        assertThat(Failures.code(new SQLException("the database system is starting up", "57P03")))
                .isEqualTo(MessageCode.SERVER_UNREACHABLE);
        assertThat(Failures.code(new SQLException("no", "28P01"))).isEqualTo(MessageCode.LOGIN_FAILED);
        assertThat(Failures.code(new SQLException("no password was provided", "08004")))
                .isEqualTo(MessageCode.LOGIN_FAILED);
        assertThat(Failures.code(new SQLException("denied", "42501"))).isEqualTo(MessageCode.PRIVILEGE_MISSING);
        assertThat(Failures.code(new SQLException("disk", "53100"))).isEqualTo(MessageCode.OUT_OF_RESOURCES);
        assertThat(Failures.code(new SQLException("syntax", "42601"))).isEqualTo(MessageCode.STATEMENT_FAILED);
    }

    @Test
    void aTimeoutUnderTheDriversIoErrorIsASilentServer() {
        SQLException io = new SQLException("An I/O error occurred", "08006",
                new SocketTimeoutException("Read timed out"));
        assertThat(Failures.code(new RuntimeException(io))).isEqualTo(MessageCode.SERVER_NOT_ANSWERING);
        assertThat(Failures.code(new IOException(new ConnectException("refused"))))
                .isEqualTo(MessageCode.SERVER_UNREACHABLE);
    }

    @Test
    void theEnvironmentExplainsTheCopyItBrokeButNotAVerdict() {
        SQLException gone = new SQLException("terminating connection", "08006");
        assertThat(Failures.code(new MigrationException(MessageCode.COPY_FAILED, "Cannot copy t", gone)))
                .isEqualTo(MessageCode.SERVER_UNREACHABLE);
        assertThat(Failures.code(new MigrationException(MessageCode.COPY_FAILED, "Cannot copy t",
                new SQLException("bad row", "22P02")))).isEqualTo(MessageCode.COPY_FAILED);
        assertThat(Failures.code(new MigrationException(MessageCode.COPY_FAILED, "Cannot copy t",
                new SQLException("could not extend file", "53100")))).isEqualTo(MessageCode.OUT_OF_RESOURCES);
        assertThat(Failures.code(new MigrationException(MessageCode.VERIFICATION_MISMATCH, "differs", gone)))
                .isEqualTo(MessageCode.VERIFICATION_MISMATCH);
        assertThat(Failures.code(new MigrationCanceledException("canceled"))).isEqualTo(MessageCode.CANCELED);
    }

    @Test
    void anythingElseIsInternalOrUnclassified() {
        assertThat(Failures.code(new IllegalStateException("bug"))).isEqualTo(MessageCode.INTERNAL);
        assertThat(Failures.code(new StackOverflowError())).isEqualTo(MessageCode.INTERNAL);
        assertThat(Failures.code(new MigrationException("a plugin's"))).isEqualTo(MessageCode.UNCLASSIFIED);
    }
}
