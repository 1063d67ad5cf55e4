package dev.pgmigrate.it;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationListener;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.SecretReferences;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/**
 * A migration in a process of its own that a test kills in a chosen phase. Arguments: state dir, name,
 * database (several separated by commas), source host:port:login:passwordFile, target host:port:login:passwordFile, phase. It prints
 * {@code READY} once the migration is held in that phase (see {@link #hold}), then waits to be killed.
 */
public final class PhaseChild {
    private PhaseChild() {
    }

    public static void main(String[] args) throws Exception {
        ServerSpec source = server(args[3]);
        ServerSpec target = server(args[4]);
        String database = args[2];
        String phase = args[5];
        MigrationSpec spec = MigrationSpec.builder().name(args[1]).source(source).target(target)
                .databases(database.split(","))
                .option(phase.equals("validation") ? MigrationOption.VALIDATE_AND_MIGRATE : MigrationOption.MIGRATE)
                .settings(settings(phase)).build();
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(Path.of(args[0])))
                .build()) {
            service.start(spec, Map.of("sourceServer", "file:" + args[3].split(":", 4)[3],
                    "targetServer", "file:" + args[4].split(":", 4)[3]), hold(phase, source, database, () -> {
                        System.out.println("READY");
                        System.out.flush();
                    })).await();
        }
    }

    /**
     * A listener that holds a migration in {@code phase}: {@code prerequisites} blocks as the migration begins;
     * {@code completion} blocks once its database has its final name; {@code validation} blocks as validation begins;
     * {@code schema} locks table {@code a} on the source as the data phase begins, so the snapshot's locks wait for
     * it; {@code data} blocks once the first table is copied; {@code committed} (which overwrites the target's
     * databases) blocks once the first original set aside is dropped, past the point of no return;
     * {@code verification} asks for an exclusive lock on {@code a} on the source once it is copied, which queues
     * behind the migration's own hold and keeps the checksum query of {@code a} waiting; {@code post-data} holds
     * nothing (its test waits for the slow index build). The lock is held by a connection the caller never closes: it ends with the
     * process, or with {@link #releaseLocks()}. The final event keeps the last substatus, so only events of a
     * migration still in progress hold it: a lock taken on a canceled one's last event would outlive the test.
     */
    static MigrationListener hold(String phase, ServerSpec source, String database, Runnable ready) {
        return event -> {
            try {
                if (phase.equals("prerequisites") && event instanceof MigrationEvent.PhaseChanged p
                        && p.substatus() == MigrationSubstatus.PERFORMING_PREREQUISITE_STEPS
                        && !p.status().isFinal()) {
                    ready.run();
                    block();
                } else if (phase.equals("completion") && event instanceof MigrationEvent.DatabaseFinished f
                        && f.status() == dev.pgmigrate.api.MigrationStatus.SUCCEEDED) {
                    // The database has its final name; the migration has not yet passed its point of no return.
                    ready.run();
                    block();
                } else if (phase.equals("committed") && event instanceof MigrationEvent.Noted n
                        && n.note().is(MessageCode.ORIGINAL_DROPPED)) {
                    // Past the point of no return: the first original set aside is dropped, the next one not yet.
                    ready.run();
                    block();
                } else if (phase.equals("validation") && event instanceof MigrationEvent.PhaseChanged p
                        && p.substatus() == MigrationSubstatus.VALIDATION_IN_PROGRESS
                        && !p.status().isFinal()) {
                    ready.run();
                    block();
                } else if (phase.equals("schema") && event instanceof MigrationEvent.PhaseChanged p
                        && p.substatus() == MigrationSubstatus.MIGRATING_DATA
                        && !p.status().isFinal()) {
                    lock(source, database);
                    ready.run();
                } else if (phase.equals("data") && event instanceof MigrationEvent.TableFinished) {
                    ready.run();
                    block();
                } else if (phase.equals("verification") && event instanceof MigrationEvent.TableFinished t
                        && t.table().equals("a")) {
                    // Queued behind the migration's own hold on a: every later reader waits behind it, and the one
                    // left is the comparison, once the rest of the data phase is done.
                    Thread locker = new Thread(() -> {
                        try {
                            lock(source, database);
                        } catch (SQLException e) {
                            // the migration ended meanwhile and its sessions with it
                        }
                    }, "phase-child-lock");
                    locker.setDaemon(true);
                    locker.start();
                    ready.run();
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /**
     * One worker; in the verification phase, tables are compared only at completion, where the test holds the
     * checksum query (during the copy, a worker would hold the lock-blocked comparison instead).
     */
    static MigrationSettings settings(String phase) {
        MigrationSettings.Builder settings = MigrationSettings.builder().parallelism(1);
        if (phase.equals("verification")) {
            settings.option("verify.duringCopy", "false");
        }
        if (phase.equals("committed")) {
            settings.overwriteDbsInTarget(true);
        }
        return settings.build();
    }

    private static final java.util.List<Connection> LOCKS = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final Object BLOCK = new Object();
    private static volatile boolean released;

    private static Connection connect(ServerSpec server, String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", server.adminLogin());
        props.setProperty("password", server.password().map(Secret::reveal).orElse(""));
        props.setProperty("sslmode", "disable");
        return DriverManager.getConnection("jdbc:postgresql://" + server.address() + "/" + database, props);
    }

    private static void lock(ServerSpec server, String database) throws SQLException {
        Connection c = connect(server, database);
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE a IN ACCESS EXCLUSIVE MODE");
        }
        LOCKS.add(c);
    }

    private static void block() {
        synchronized (BLOCK) {
            while (!released) {
                try {
                    BLOCK.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Lets blocked listeners go on and closes the lock connections (for tests in this JVM). */
    static void releaseLocks() {
        synchronized (BLOCK) {
            released = true;
            BLOCK.notifyAll();
        }
        for (Connection c : LOCKS) {
            try {
                c.close();
            } catch (SQLException e) {
                // already broken
            }
        }
        LOCKS.clear();
    }

    /** Re-arms {@link #block()} for the next test in this JVM. */
    static void arm() {
        released = false;
    }

    private static ServerSpec server(String arg) {
        String[] parts = arg.split(":", 4);
        return ServerSpec.builder().host(parts[0]).port(Integer.parseInt(parts[1])).adminLogin(parts[2])
                .password(SecretReferences.resolve("file:" + parts[3])).sslMode(SslMode.DISABLE).build();
    }
}
