package dev.pgmigrate.core.report;

import dev.pgmigrate.api.Labeled;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.ValidationStatus;
import java.time.Instant;
import java.util.Locale;

/** Markup several sections of the HTML report share: the status as shown, status classes, times. */
final class HtmlMarkup {
    private HtmlMarkup() {
    }

    /**
     * The migration's status, escaped, with {@code (interrupted)}, {@code (canceling)} or {@code (cutting over)} when
     * that applies.
     */
    static String statusText(MigrationRecord r) {
        String s = HtmlReport.escape(r.status().label());
        if (r.interrupted()) {
            return s + " (interrupted)";
        }
        if (r.status().isFinal()) {
            return s;
        }
        return r.cancelRequested() ? s + " (canceling)" : r.cutoverRequestedAt().isPresent() ? s + " (cutting over)"
                : s;
    }

    static String statusClass(MigrationStatus s) {
        return "st-" + cssWord(s);
    }

    static String validationClass(ValidationStatus s) {
        return "st-" + cssWord(s);
    }

    private static String cssWord(Labeled l) {
        return l.label().toLowerCase(Locale.ROOT);
    }

    /** A {@code <time>} element: UTC as people read it, the instant as machines do. */
    static String time(Instant at) {
        return "<time datetime=\"" + at + "\">" + Units.time(at) + "</time>";
    }
}
