package dev.pgmigrate.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.internal.run.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.DirectoryStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One migration's record file of a {@link FileMigrationStore}: read, written atomically, archived. */
final class RecordFiles {
    private static final String HISTORY = "history";
    /** {@code <millis>-<name>.json}: a name never starts with '-', so the first '-' ends the time. */
    private static final Pattern ARCHIVED = Pattern.compile("(\\d+)-(.+)\\.json");
    /**
     * Not indented: a running migration's file is rewritten every second with each table's progress, and at 10,000
     * tables indenting made it 5.4 MB instead of 3.5 and each write 54 ms of CPU instead of 34.
     */
    private static final ObjectWriter WRITER = Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);

    private RecordFiles() {
    }

    /** The record in {@code file}; empty when there is no such file. */
    static Optional<StoredMigration> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readValue(file.toFile(), StoredMigration.class));
        } catch (IOException e) {
            throw new MigrationException(MessageCode.STATE_STORE_UNUSABLE,
                    "Cannot read the migration record " + file + ": " + e.getMessage()
                    + ". Move the file aside if it was edited by hand or written by a newer pgmigrate.", e);
        }
    }

    /** Writes {@code file} whole or not at all: a new file, private to its owner, renamed into place. */
    static void write(Path file, StoredMigration migration) {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.write(temp, WRITER.writeValueAsBytes(migration));
            PrivateDirectory.setOwnerOnly(temp, "rw-------");
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the migration record " + file, e);
        }
    }

    /** Moves an earlier migration's record of the same name into {@code history} beside it. */
    static void archive(Path file) {
        try {
            Path history = file.resolveSibling(HISTORY);
            PrivateDirectory.create(history);
            long at = System.currentTimeMillis();
            while (Files.exists(history.resolve(at + "-" + file.getFileName()))) {
                at++; // two replaced within one millisecond keep their order
            }
            Files.move(file, history.resolve(at + "-" + file.getFileName()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot archive the earlier migration record " + file, e);
        }
    }

    /**
     * The records in {@code namespaceDir}'s history whose migration name {@code wanted} accepts, oldest first (by the
     * time each was replaced, which its file name begins with).
     */
    static List<StoredMigration> history(Path namespaceDir, Predicate<String> wanted) {
        Path history = namespaceDir.resolve(HISTORY);
        if (!Files.isDirectory(history)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(history, "*.json")) {
            for (Path file : all) {
                Matcher m = ARCHIVED.matcher(file.getFileName().toString());
                if (m.matches() && wanted.test(m.group(2))) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the history in " + history, e);
        }
        files.sort(Comparator.comparing((Path f) -> new BigInteger(archivedAt(f))).thenComparing(Path::toString));
        List<StoredMigration> records = new ArrayList<>();
        files.forEach(f -> read(f).ifPresent(records::add));
        return records;
    }

    private static String archivedAt(Path file) {
        Matcher m = ARCHIVED.matcher(file.getFileName().toString());
        return m.matches() ? m.group(1) : "0";
    }

    /** Whether the record's {@code record.status} is a final one; false when it cannot tell (then it is parsed). */
    static boolean hasEnded(Path file) {
        try (JsonParser parser = Json.mapper().getFactory().createParser(file.toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean record = "record".equals(parser.currentName());
                if (parser.nextToken() != JsonToken.START_OBJECT || !record) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if ("status".equals(field)) {
                        return value == JsonToken.VALUE_STRING
                                && !MigrationStatus.IN_PROGRESS.label().equals(parser.getText());
                    }
                    parser.skipChildren();
                }
                return false;
            }
            return false;
        } catch (IOException e) {
            return false; // read() reports what is wrong with the file
        }
    }
}
