package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of one migration: each event goes to each in turn, and one that throws is logged and passed over. */
public final class Listeners {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private final List<MigrationListener> listeners = new CopyOnWriteArrayList<>();

    Listeners(List<MigrationListener> listeners) {
        this.listeners.addAll(listeners);
    }

    /** Sends {@code event}; call it outside any lock, as a listener may take its time. */
    void emit(MigrationEvent event) {
        for (MigrationListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("A migration listener threw on {}; ignoring it", event.getClass().getSimpleName(), e);
            }
        }
    }
}
