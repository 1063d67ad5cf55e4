package dev.pgmigrate.cli;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into a cancel while a migration runs in the foreground, so the command ends
 * with the migration's own status and exit code (3, canceled) rather than the JVM's 130 or 143. Only the command
 * line does this; the library never touches signals. Where the JVM refuses the handlers (they are in
 * {@code jdk.unsupported}), the shutdown hook still cancels.
 */
final class SignalTrap {
    private static final Logger log = LoggerFactory.getLogger(SignalTrap.class);

    private final Signal signal;
    private final SignalHandler previous;

    private SignalTrap(Signal signal, SignalHandler previous) {
        this.signal = signal;
        this.previous = previous;
    }

    /** Runs {@code action} on its own thread at each SIGINT or SIGTERM until {@link #restore()}. */
    static List<SignalTrap> onInterrupt(Runnable action) {
        List<SignalTrap> traps = new ArrayList<>();
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal signal = new Signal(name);
                SignalHandler previous = Signal.handle(signal, s -> {
                    Thread thread = new Thread(action, "pgmigrate-signal-" + name);
                    thread.setDaemon(true);
                    thread.start();
                });
                traps.add(new SignalTrap(signal, previous));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.debug("Cannot handle SIG{}; the shutdown hook cancels instead", name, e);
            }
        }
        return traps;
    }

    void restore() {
        try {
            Signal.handle(signal, previous);
        } catch (IllegalArgumentException e) {
            log.debug("Cannot restore the handler of {}", signal, e);
        }
    }
}
