package dev.pgmigrate.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.internal.run.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/** One migration's record file of a {@link FileMigrationStore}: read, written atomically, archived. */
final class RecordFiles {
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
            Files.write(temp, Json.mapper().writeValueAsBytes(migration));
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
            Path history = file.resolveSibling("history");
            PrivateDirectory.create(history);
            Files.move(file, history.resolve(System.currentTimeMillis() + "-" + file.getFileName()),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot archive the earlier migration record " + file, e);
        }
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
