package dev.pgmigrate.core.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationEvent.MigrationProgressed;
import dev.pgmigrate.api.TableProgress;
import dev.pgmigrate.api.TableState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The migration's overall figures, kept as tables change, equal a count over every table of the record. */
class ProgressLedgerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void overallFiguresFollowEveryKindOfTableChangeAndMatchACountOverTheRecord() {
        ProgressLedger ledger = new ProgressLedger(List.of());
        ledger.databaseStarted("a", T0);
        ledger.tablesQueued("a", List.of(TableProgress.queued("s", "big", 1000, 2),
                TableProgress.queued("s", "small", 100, 1), TableProgress.queued("s", "grows", 50, 1)));
        assertSameAsRecount(ledger, T0);
        assertThat(ledger.overall("m", T0).timeLeft()).as("nothing started").isEmpty();

        ledger.tableChanged("a", "s.big", t -> t.loading("binary", T0.plusSeconds(1)));
        ledger.tableChanged("a", "s.big", t -> t.progressed(10, 250));
        ledger.tableChanged("a", "s.small", t -> t.loading("binary", T0.plusSeconds(2)));
        ledger.tableChanged("a", "s.small", t -> t.completed(5, 80, T0.plusSeconds(3)));
        ledger.tableChanged("a", "s.grows", t -> t.loading("binary", T0.plusSeconds(2)));
        ledger.tableChanged("a", "s.grows", t -> t.progressed(7, 120)); // more than its estimate
        assertSameAsRecount(ledger, T0.plusSeconds(11));

        MigrationProgressed now = ledger.overall("m", T0.plusSeconds(11));
        assertThat(now.bytesDone()).as("big 250, small whole 100, grows 120").isEqualTo(470);
        assertThat(now.bytesTotal()).isEqualTo(1220);
        assertThat(now.rowsDone()).isEqualTo(22);
        assertThat(now.timeLeft()).as("10 s since the first start for 470 of 1220 bytes")
                .contains(Duration.ofMillis((long) (10_000 * (1220 - 470) / 470.0)));

        // A resumed database queues what it knows again: known tables are not counted twice.
        ledger.tablesQueued("a", List.of(TableProgress.queued("s", "small", 100, 1),
                TableProgress.queued("s", "late", 30, 1)));
        ledger.tableChanged("a", "s.unknown", t -> t.progressed(1, 1)); // a partitioned parent: ignored
        ledger.tableChanged("a", "s.big", t -> t.errored(T0.plusSeconds(12), "boom"));
        assertSameAsRecount(ledger, T0.plusSeconds(12));
    }

    @Test
    void aLedgerGoingOnFromAStoredRecordStartsFromItsFigures() {
        ProgressLedger first = new ProgressLedger(List.of());
        first.databaseStarted("a", T0);
        first.tablesQueued("a", List.of(TableProgress.queued("s", "x", 400, 1), TableProgress.queued("s", "y", 600, 1)));
        first.tableChanged("a", "s.x", t -> t.loading("binary", T0).completed(3, 400, T0.plusSeconds(4)));

        ProgressLedger resumed = new ProgressLedger(first.databases());
        assertSameAsRecount(resumed, T0.plusSeconds(8));
        assertThat(resumed.overall("m", T0.plusSeconds(8)).timeLeft()).contains(Duration.ofSeconds(12));
    }

    /** The incremental figures against the same sums taken over every table of the record as it now is. */
    private static void assertSameAsRecount(ProgressLedger ledger, Instant now) {
        long total = 0;
        long done = 0;
        long rows = 0;
        for (DatabaseProgress db : ledger.databases()) {
            for (TableProgress t : db.tables()) {
                long size = Math.max(t.estimatedBytes(), t.bytes());
                total += size;
                done += t.state() == TableState.COMPLETED ? size : Math.min(t.bytes(), size);
                rows += t.rows();
            }
        }
        MigrationProgressed overall = ledger.overall("m", now);
        assertThat(overall.bytesTotal()).isEqualTo(total);
        assertThat(overall.bytesDone()).isEqualTo(done);
        assertThat(overall.rowsDone()).isEqualTo(rows);
    }
}
