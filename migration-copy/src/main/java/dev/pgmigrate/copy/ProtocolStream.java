package dev.pgmigrate.copy;

import java.lang.reflect.Field;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.QueryExecutorBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's protocol stream under a connection, from which a COPY's data messages are read straight into
 * the mover's buffer.
 *
 * <p>Through its API, pgjdbc hands over a COPY's output one message (one row) at a time: each call takes the
 * connection's lock, runs its general message loop and returns the row in a new array. For millions of small
 * rows that was most of a copy worker's own CPU (a third of it in {@code processCopyResults} alone), CPU the
 * servers need on a busy machine. {@link PGStream} is public, and its {@code peekChar}, {@code receiveChar},
 * {@code receiveInteger4} and {@code receive} are what the driver reads the protocol with, TLS or not; only
 * the field that holds it is not, so it is reached by reflection once. A driver that does not have it there
 * gets the API path, unchanged.
 */
final class ProtocolStream {
    private static final Logger log = LoggerFactory.getLogger(ProtocolStream.class);
    private static final Optional<Field> FIELD = find();

    private ProtocolStream() {
    }

    /** The stream {@code connection} talks to its server through, or empty to use the driver's API. */
    static Optional<PGStream> of(PGConnection connection) {
        if (FIELD.isEmpty() || !(connection instanceof BaseConnection base)) {
            return Optional.empty();
        }
        try {
            QueryExecutor executor = base.getQueryExecutor();
            return executor instanceof QueryExecutorBase executorBase
                    ? Optional.ofNullable((PGStream) FIELD.get().get(executorBase)) : Optional.empty();
        } catch (IllegalAccessException | RuntimeException e) {
            log.debug("Reading COPY data through the driver's API: its protocol stream is not reachable", e);
            return Optional.empty();
        }
    }

    private static Optional<Field> find() {
        try {
            Field field = QueryExecutorBase.class.getDeclaredField("pgStream");
            if (field.getType() != PGStream.class) {
                return Optional.empty();
            }
            field.setAccessible(true);
            return Optional.of(field);
        } catch (NoSuchFieldException | RuntimeException | LinkageError e) {
            log.debug("Reading COPY data through the driver's API: this driver keeps no protocol stream where "
                    + "expected", e);
            return Optional.empty();
        }
    }
}
