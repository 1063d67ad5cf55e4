package dev.pgmigrate.cli;

import dev.pgmigrate.core.MigrationHandle;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * Ctrl-C (SIGINT) and SIGTERM while a command runs a migration in the foreground, from the moment the command
 * starts: before the migration exists the command ends at once (exit 3, nothing was created); while it is being
 * stored the cancel waits for it; once it runs, it is canceled and rolled back, and the command ends with its
 * status (3, canceled) instead of the JVM's 130 or 143. Where the JVM refuses the handlers, nothing is trapped.
 */
final class Interrupts {
    private enum State { IDLE, STARTING, RUNNING, DONE }

    private final Cli cli;
    private List<SignalTrap> traps = List.of();
    private State state = State.IDLE;
    private boolean pending;
    private MigrationHandle handle;
    private Consumer<MigrationHandle> onCancel = h -> { };

    Interrupts(Cli cli) {
        this.cli = cli;
    }

    /** Starts trapping the signals; again is harmless. The log is set up first: the traps log. */
    synchronized void arm() {
        cli.configureLogging(Cli.LogTarget.FILE);
        if (traps.isEmpty() && state == State.IDLE) {
            traps = SignalTrap.onInterrupt(this::interrupted);
        }
    }

    /** The migration is being stored and started: a signal now cancels it once it runs. */
    synchronized void starting() {
        arm();
        state = State.STARTING;
    }

    /**
     * The migration runs: a signal cancels it, after {@code onCancel} said so (on the signal's own thread). A
     * signal that came while it was starting cancels it now.
     */
    synchronized void running(MigrationHandle running, Consumer<MigrationHandle> cancelSaid) {
        this.handle = running;
        this.onCancel = cancelSaid;
        state = State.RUNNING;
        if (pending) {
            cancel();
        }
    }

    /** The migration ended: the signals are the JVM's again. */
    synchronized void disarm() {
        state = State.DONE;
        traps.forEach(SignalTrap::restore);
        traps = List.of();
    }

    private synchronized void interrupted() {
        switch (state) {
            case IDLE -> {
                cli.err().println();
                cli.err().println("pgmigrate: interrupted before the migration started; nothing was created.");
                cli.err().flush();
                // Not from this lock's thread alone: exit runs the shutdown hooks (the console's echo among them).
                Thread exit = new Thread(() -> System.exit(ExitCodes.CANCELED), "pgmigrate-exit");
                exit.start();
            }
            case STARTING -> pending = true;
            case RUNNING -> cancel();
            case DONE -> {
                // The migration ended: its own status gives the exit code.
            }
        }
    }

    private void cancel() {
        pending = false;
        if (handle.record().status().isFinal()) {
            return;
        }
        onCancel.accept(handle);
        try {
            handle.cancel();
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(Interrupts.class).debug("The migration ended before the cancel reached it; its "
                    + "own status says how", e);
        }
    }
}
