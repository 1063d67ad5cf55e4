package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.internal.pg.Endpoint;
import dev.pgmigrate.core.internal.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says when a server stops answering. While a migration runs, each server is asked {@code SELECT 1} every
 * {@code connection.watchSeconds} on a connection of its own that gives up after as long. The first question
 * left unanswered is noted as a warning with the time since the server's last answer, and the next answer is
 * noted too. It only reports: a long index build answers nothing for minutes and is no stall, so ending a wait is
 * for {@code connection.socketTimeoutSeconds} and for a cancel.
 */
public final class ServerWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerWatch.class);

    private final RecordKeeper keeper;
    private final List<Watched> servers;
    private final int seconds;
    private final ScheduledExecutorService timer;

    private static final class Watched {
        final Endpoint endpoint;
        volatile Instant lastAnswer = Instant.now();
        volatile boolean silent;

        Watched(Endpoint endpoint) {
            this.endpoint = endpoint;
        }
    }

    ServerWatch(RecordKeeper keeper, Endpoint source, Endpoint target, MigrationSettings settings) {
        this.keeper = keeper;
        this.servers = List.of(new Watched(source), new Watched(target));
        this.seconds = EngineOptions.watchSeconds(settings);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "pgmigrate-watch-" + keeper.record().spec().name());
            thread.setDaemon(true);
            return thread;
        });
        // One server at a time would let a stalled one delay the other's question: each has its own turn.
        for (Watched server : servers) {
            timer.scheduleWithFixedDelay(() -> ask(server), seconds, seconds, TimeUnit.SECONDS);
        }
    }

    private void ask(Watched server) {
        if (keeper.record().status().isFinal()) {
            return; // the record is closed; the run closes this watch next
        }
        Endpoint endpoint = server.endpoint;
        String database = endpoint.facts().map(ServerFacts::maintenanceDatabase).orElse("postgres");
        String who = "the " + endpoint.role().label() + " server " + endpoint.spec().address();
        try (Connection c = endpoint.connector().openProbe(database, seconds)) {
            Sql.execute(c, "SELECT 1");
            answered(server, who);
        } catch (SQLException e) {
            // A refusal is an answer: a full server, a login refused, a password asked for that nothing gave
            // (the driver's 08004). Only a connection that breaks, times out or finds the server going away is not.
            if (!Sql.sessionLost(e)) {
                answered(server, who);
                return;
            }
            if (!server.silent) {
                server.silent = true;
                Instant last = server.lastAnswer;
                keeper.note(MessageCode.SERVER_SILENT,
                        "Warning: " + who + " has not answered for " + Duration.between(last, Instant.now())
                        .toSeconds() + " s (its last answer at " + last.truncatedTo(ChronoUnit.SECONDS) + "): "
                        + Sql.firstLine(String.valueOf(e.getMessage())) + ". The migration waits for it: "
                        + "settings.options.connection.socketTimeoutSeconds ends such a wait with an error, and a "
                        + "cancel ends it at once.");
            }
        } catch (RuntimeException e) {
            log.debug("Could not ask {} whether it answers", who, e);
        }
    }

    private void answered(Watched server, String who) {
        Instant now = Instant.now();
        if (server.silent) {
            server.silent = false;
            keeper.note(MessageCode.SERVER_ANSWERS_AGAIN,
                    who.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + who.substring(1) + " answers again, "
                    + "after " + Duration.between(server.lastAnswer, now).toSeconds() + " s without an answer.");
        }
        server.lastAnswer = now;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
