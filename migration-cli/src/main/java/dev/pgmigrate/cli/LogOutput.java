package dev.pgmigrate.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the library's log lines and, in a background run, the progress lines go, each written whole: as text, or
 * with {@code --log-format json} as one JSON object per line ({@code time}, {@code level}, {@code logger},
 * {@code message}, and {@code thread}, {@code exception} where there is one). Every stream made here writes through
 * one lock, one line or one log event at a time, so lines of two streams sharing a file never mix.
 *
 * <p>slf4j-simple formats the library's events; this class sets its format and turns each event (its line, then
 * the stack trace of its throwable, ended by a flush) into one write.
 */
final class LogOutput {
    /** How log lines are written. */
    enum Format { text, json }

    /** The logger name progress lines carry in JSON, beside the library's own. */
    static final String PROGRESS_LOGGER = "dev.pgmigrate.cli.progress";

    /** What slf4j-simple writes in the JSON format's setting: {@code [thread] LEVEL logger - message}. */
    private static final Pattern EVENT = Pattern.compile("\\[(.*?)\\] (TRACE|DEBUG|INFO|WARN|ERROR) (\\S+) - (.*)",
            Pattern.DOTALL);
    private static final JsonFactory JSON = new JsonFactory();

    private final Format format;
    private final Object lock = new Object();

    LogOutput(Format format) {
        this.format = format;
    }

    Format format() {
        return format;
    }

    /** Sets slf4j-simple's format before it starts: the JSON format parses what it writes. */
    void configureLibraryFormat() {
        if (format == Format.json) {
            System.setProperty("org.slf4j.simpleLogger.showDateTime", "false");
            System.setProperty("org.slf4j.simpleLogger.showThreadName", "true");
            System.setProperty("org.slf4j.simpleLogger.showLogName", "true");
            System.setProperty("org.slf4j.simpleLogger.showShortLogName", "false");
            System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "false");
        }
    }

    /** A stream for the library's log (set as {@code System.err}, where slf4j-simple writes): one event a write. */
    PrintStream events(OutputStream to) {
        return new PrintStream(new Buffered(to, true), false, StandardCharsets.UTF_8);
    }

    /**
     * A stream of lines for people (progress, messages), each line written whole; in JSON, each an event of
     * {@code level} from {@code logger}.
     */
    PrintStream lines(OutputStream to, String level, String logger) {
        return new PrintStream(new Buffered(to, level, logger), true, StandardCharsets.UTF_8);
    }

    /** Bytes held until a flush (an event) or a line's end, then written at once under the shared lock. */
    private final class Buffered extends OutputStream {
        private final OutputStream to;
        private final boolean event;
        private final String level;
        private final String logger;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        Buffered(OutputStream to, boolean event) {
            this.to = to;
            this.event = event;
            this.level = null;
            this.logger = null;
        }

        Buffered(OutputStream to, String level, String logger) {
            this.to = to;
            this.event = false;
            this.level = level;
            this.logger = logger;
        }

        @Override
        public synchronized void write(int b) {
            pending.write(b);
            if (!event && b == '\n') {
                emit();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (event) {
                pending.write(b, off, len);
                return;
            }
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    pending.write(b, start, i + 1 - start);
                    emit();
                    start = i + 1;
                }
            }
            pending.write(b, start, off + len - start);
        }

        @Override
        public synchronized void flush() {
            if (event) {
                emit();
            }
        }

        private void emit() {
            if (pending.size() == 0) {
                return;
            }
            String text = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            byte[] out = (format == Format.json ? json(text) : text).getBytes(StandardCharsets.UTF_8);
            synchronized (lock) {
                try {
                    to.write(out);
                    to.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot write the log", e);
                }
            }
        }

        private String json(String text) {
            String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            if (!event) {
                return object(level, logger, null, body, null);
            }
            int end = body.indexOf('\n');
            String first = end < 0 ? body : body.substring(0, end);
            String rest = end < 0 ? null : body.substring(end + 1);
            Matcher m = EVENT.matcher(first);
            if (!m.matches()) {
                return object("INFO", "unknown", null, body, null);
            }
            return object(m.group(2), m.group(3), m.group(1), m.group(4), rest);
        }
    }

    /** One JSON object on one line: a message's line breaks are escaped. */
    static String object(String level, String logger, String thread, String message, String exception) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.now().toString());
            g.writeStringField("level", level);
            g.writeStringField("logger", logger);
            g.writeStringField("message", message);
            if (thread != null) {
                g.writeStringField("thread", thread);
            }
            if (exception != null && !exception.isBlank()) {
                g.writeStringField("exception", exception.stripTrailing());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("A StringWriter does not fail", e);
        }
        return out + "\n";
    }
}
