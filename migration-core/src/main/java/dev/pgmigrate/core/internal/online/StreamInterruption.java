package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.core.internal.pg.ServerConnector;
import dev.pgmigrate.core.internal.pg.Sql;
import dev.pgmigrate.core.internal.run.RecordKeeper;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says, while one database's stream is interrupted and retried, what its slot keeps of the source's WAL meanwhile:
 * in the database's activity at each retry and in a {@code PGM-SOURCE-WAL-RETAINED} note once per interruption.
 * A slot the source dropped ({@code wal_status = 'lost'}) fails the migration: the changes it no longer holds
 * cannot reach the target, so the target can no longer become an exact copy.
 */
final class StreamInterruption {
    private static final Logger log = LoggerFactory.getLogger(StreamInterruption.class);

    private final String database;
    private final String slot;
    private final ServerConnector source;
    private final RecordKeeper keeper;
    private boolean interrupted;
    private boolean noted;

    StreamInterruption(String database, String slot, ServerConnector source, RecordKeeper keeper) {
        this.database = database;
        this.slot = slot;
        this.source = source;
        this.keeper = keeper;
    }

    /**
     * The stream broke with {@code e} at {@code since} and is retried until {@code until}: reads the slot on the
     * source (when it answers) and says what it keeps.
     *
     * @throws MigrationException when the source dropped the slot's WAL
     */
    void retrying(SQLException e, Instant since, Instant until) {
        interrupted = true;
        String broke = "interrupted since " + since.truncatedTo(ChronoUnit.SECONDS) + " (" + Sql.firstLine(
                String.valueOf(e.getMessage())) + ", SQLState " + e.getSQLState() + "), retried until "
                + until.truncatedTo(ChronoUnit.SECONDS);
        Optional<SlotRetention> retention = read();
        if (retention.isPresent() && retention.get().lost()) {
            throw lost(retention.get(), since);
        }
        keeper.activity(database, Optional.of(broke + retention.map(r -> ": " + r.describe()).orElse(
                ": the source does not answer either, so what the slot keeps cannot be read")));
        if (retention.isPresent() && !noted) {
            noted = true;
            keeper.note(MessageCode.SOURCE_WAL_RETAINED, "Database " + database + ": the stream of the source's "
                    + "changes is " + broke + ". Meanwhile " + retention.get().describe() + ". The database's "
                    + "activity gives these figures afresh at each retry; a cancel drops the slot at once.");
        }
    }

    /** The stream is taken up again: the database's activity is cleared, its replication figures say it follows. */
    void resumed() {
        if (interrupted) {
            interrupted = false;
            noted = false;
            keeper.activity(database, Optional.empty());
        }
    }

    /** The failure to report for {@code e}, which ended the stream: the slot's loss, when that is what happened. */
    Exception lostOr(Exception e) {
        if (e instanceof MigrationException) {
            return e;
        }
        Optional<SlotRetention> retention = read();
        return retention.isPresent() && retention.get().lost() ? lost(retention.get(), null) : e;
    }

    private Optional<SlotRetention> read() {
        try (Connection c = source.open(database)) {
            return SlotRetention.read(c, slot);
        } catch (SQLException | RuntimeException e) {
            log.debug("Could not read slot {} of database {} on the source", slot, database, e);
            return Optional.empty();
        }
    }

    private MigrationException lost(SlotRetention retention, Instant since) {
        return new MigrationException(MessageCode.REPLICATION_SLOT_LOST, "Database " + database + ": the source "
                + "removed WAL that replication slot " + slot + " still needed (wal_status lost: it kept more than "
                + "max_slot_wal_keep_size = " + retention.limit().orElse("?") + (since == null ? "" : " while the "
                + "stream was interrupted since " + since.truncatedTo(ChronoUnit.SECONDS)) + "). The source's "
                + "changes after the target's last committed one can no longer be carried, so the target cannot "
                + "become an exact copy: the migration is rolled back. Start it again; keep the target reachable "
                + "while it follows, or raise max_slot_wal_keep_size on the source.");
    }
}
