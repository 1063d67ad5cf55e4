package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ServerSpec;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Messages are written with their code and read back, and a record stored before codes, or before versions, still
 * reads.
 */
class RecordJsonTest {
    private final ObjectMapper json = RecordJson.mapper();

    @Test
    void aMessageIsWrittenWithItsCodeAndReadBack() throws Exception {
        MigrationMessage m = new MigrationMessage(MessageCode.ROLLBACK_INCOMPLETE, "Rollback incomplete: x");
        JsonNode written = json.valueToTree(m);
        assertThat(written.get("code").asText()).isEqualTo("PGM-ROLLBACK-INCOMPLETE");
        assertThat(written.get("text").asText()).isEqualTo("Rollback incomplete: x");
        assertThat(json.treeToValue(written, MigrationMessage.class)).isEqualTo(m);

        MigrationEvent.Noted noted = new MigrationEvent.Noted("m", Instant.EPOCH,
                new MigrationMessage(MessageCode.SERVER_SILENT, "Warning: ..."));
        assertThat(json.valueToTree(noted).at("/note/code").asText()).isEqualTo("PGM-SERVER-SILENT");
    }

    @Test
    void aPlainStringFromBeforeCodesAndAnUnknownCodeReadAsUnclassified() throws Exception {
        List<MigrationMessage> read = json.readValue("[\"an old error\", {\"code\": \"PGM-FROM-THE-FUTURE\", "
                + "\"text\": \"newer\"}]", json.getTypeFactory().constructCollectionType(List.class,
                        MigrationMessage.class));
        assertThat(read).containsExactly(new MigrationMessage(MessageCode.UNCLASSIFIED, "an old error"),
                new MigrationMessage(MessageCode.UNCLASSIFIED, "newer"));
    }

    @Test
    void aWholeRecordStoredBeforeCodesLoads() throws Exception {
        MigrationSpec spec = MigrationSpec.builder().name("old").databases("shop")
                .source(ServerSpec.builder().host("src").port(5432).adminLogin("a").build())
                .target(ServerSpec.builder().host("tgt").port(5432).adminLogin("b").build()).build();
        MigrationRecord record = new MigrationRecord(spec, MigrationStatus.FAILED, MigrationSubstatus.FAILED,
                Instant.EPOCH, Optional.of(Instant.EPOCH), List.of(), List.of(),
                List.of(new MigrationMessage(MessageCode.COPY_FAILED, "Cannot copy")), Optional.empty(),
                List.of(new MigrationMessage(MessageCode.ROLES_CREATED, "Created 1 role(s)")), false, false);
        ObjectNode stored = json.valueToTree(record);
        stored.putArray("errors").add("Cannot copy");
        stored.putArray("notes").add("Created 1 role(s)");

        MigrationRecord read = json.treeToValue(stored, MigrationRecord.class);
        assertThat(read.errors()).containsExactly(new MigrationMessage(MessageCode.UNCLASSIFIED, "Cannot copy"));
        assertThat(read.notes()).extracting(MigrationMessage::text).containsExactly("Created 1 role(s)");
        assertThat(read.withErrors(record.errors()).withNotes(record.notes())).isEqualTo(record);
    }

    @Test
    void theVersionThatStartedAMigrationIsWrittenAndARecordStoredBeforeVersionsLoadsWithoutOne() throws Exception {
        MigrationSpec spec = MigrationSpec.builder().name("versioned").databases("shop")
                .source(ServerSpec.builder().host("src").port(5432).adminLogin("a").build())
                .target(ServerSpec.builder().host("tgt").port(5432).adminLogin("b").build()).build();
        MigrationRecord record = new MigrationRecord(spec, MigrationStatus.SUCCEEDED, MigrationSubstatus.COMPLETED,
                Instant.EPOCH, Optional.of(Instant.EPOCH), List.of(), List.of(), List.of(), Optional.empty(),
                List.of(), false, false, Optional.of("0.1.0 (commit 1a2b3c4d5e6f)"));
        ObjectNode stored = json.valueToTree(record);
        assertThat(stored.get("pgmigrateVersion").asText()).isEqualTo("0.1.0 (commit 1a2b3c4d5e6f)");
        assertThat(json.treeToValue(stored, MigrationRecord.class)).isEqualTo(record);

        stored.remove("pgmigrateVersion");
        MigrationRecord old = json.treeToValue(stored, MigrationRecord.class);
        assertThat(old.pgmigrateVersion()).isEmpty();
        assertThat(old.withPgmigrateVersion(record.pgmigrateVersion())).isEqualTo(record);
    }
}
