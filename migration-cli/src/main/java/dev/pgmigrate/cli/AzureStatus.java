package dev.pgmigrate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgmigrate.api.DatabaseProgress;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.MigrationSubstatus;
import dev.pgmigrate.api.ReplicationProgress;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.api.TableState;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.report.MigrationReport;
import dev.pgmigrate.core.report.PhaseSpan;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A migration in the managed service's own status shape, as {@code az postgres flexible-server migration show}
 * prints it: {@code properties.currentStatus.state}, {@code currentSubStateDetails} with {@code dbDetails} per
 * database and {@code validationDetails}, and the properties the migration was created with, spelled as the
 * service spells them ({@code "True"}, {@code "Prefer"}, {@code "PerformingPreRequisiteSteps"}). Scripts written
 * against the service read it unchanged; what the record does not know (Azure resource ids, SKUs) is left out, and
 * an offline migration's change-data-capture counters are 0, as the service shows them. A database of an online
 * migration that follows the source is {@code WaitingForCutoverTrigger} until the cutover is asked for, with
 * {@code appliedChanges} (rows changed and tables truncated by the transactions applied) and {@code latency} (the
 * lag in whole seconds, as the service's API defines it); the per-kind counters and {@code incomingChanges}, which
 * pgmigrate does not count, are left out rather than shown as 0.
 */
final class AzureStatus {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AzureStatus() {
    }

    /** The status document of {@code report}'s migration, indented JSON. */
    static String of(MigrationReport report) throws com.fasterxml.jackson.core.JsonProcessingException {
        MigrationRecord r = report.record();
        MigrationSpec spec = r.spec();
        ObjectNode root = JSON.createObjectNode();
        root.put("name", r.name());
        ObjectNode p = root.putObject("properties");
        p.put("migrationId", UUID.nameUUIDFromBytes((MigrationService.namespaceOf(spec.target()) + "/" + r.name()
                + "/" + r.createdAt()).getBytes(StandardCharsets.UTF_8)).toString());
        ObjectNode status = p.putObject("currentStatus");
        ObjectNode details = status.putObject("currentSubStateDetails");
        details.put("currentSubState", subState(r.substatus()));
        ObjectNode dbs = details.putObject("dbDetails");
        r.databases().forEach(d -> dbs.set(d.database(), database(r, d)));
        if (!r.validationResults().isEmpty()) {
            details.set("validationDetails", validation(r, phase(report, MigrationSubstatus.VALIDATION_IN_PROGRESS)));
        }
        status.put("error", r.errors().stream().map(MigrationMessage::text).collect(Collectors.joining("; ")));
        status.put("state", r.status().label());
        ArrayNode names = p.putArray("dbsToMigrate");
        spec.databases().forEach(names::add);
        p.put("migrateRoles", flag(spec.settings().migrateRoles()));
        p.put("migrationMode", spec.mode().label());
        p.put("migrationOption", spec.option().label());
        p.put("migrationWindowStartTimeInUtc", r.createdAt().toString());
        r.endedAt().ifPresent(e -> p.put("migrationWindowEndTimeInUtc", e.toString()));
        p.put("overwriteDbsInTarget", flag(spec.settings().overwriteDbsInTarget()));
        p.put("setupLogicalReplicationOnSourceDbIfNeeded", flag(false));
        p.put("sourceDbServerResourceId", resourceId(spec.source()));
        spec.source().fullyQualifiedDomainName().ifPresent(f -> p.put("sourceDbServerFullyQualifiedDomainName", f));
        p.put("sourceType", spec.source().type().label());
        p.put("sslMode", sslMode(spec.source().sslMode()));
        p.put("targetDbServerFullyQualifiedDomainName", spec.target().connectHost());
        p.put("targetDbServerResourceId", resourceId(spec.target()));
        p.put("triggerCutover", flag(r.cutoverRequestedAt().isPresent()));
        return JSON.writeValueAsString(root);
    }

    /** The service's sub-state: its spelling of the first phase; a failed migration's sub-state is Completed. */
    static String subState(MigrationSubstatus substatus) {
        return switch (substatus) {
            case PERFORMING_PREREQUISITE_STEPS -> "PerformingPreRequisiteSteps";
            case FAILED -> "Completed";
            default -> substatus.label();
        };
    }

    private static ObjectNode database(MigrationRecord r, DatabaseProgress d) {
        ObjectNode db = JSON.createObjectNode();
        Optional<ReplicationProgress> replication = d.replication();
        db.put("appliedChanges", replication.map(ReplicationProgress::changes).orElse(0L));
        if (replication.isEmpty()) {
            db.put("cdcDeleteCounter", 0);
            db.put("cdcInsertCounter", 0);
            db.put("cdcUpdateCounter", 0);
        }
        db.put("databaseName", d.database());
        d.endedAt().ifPresent(e -> db.put("endedOn", e.toString()));
        db.put("fullLoadCompletedTables", d.count(TableState.COMPLETED));
        db.put("fullLoadErroredTables", d.count(TableState.ERRORED));
        db.put("fullLoadLoadingTables", d.count(TableState.LOADING));
        db.put("fullLoadQueuedTables", d.count(TableState.QUEUED));
        if (replication.isEmpty()) {
            db.put("incomingChanges", 0);
        }
        db.put("latency", replication.map(p -> p.lag().toSeconds()).orElse(0L));
        d.message().ifPresent(m -> db.put("message", m));
        db.put("migrationState", migrationState(r, d));
        d.startedAt().ifPresent(s -> db.put("startedOn", s.toString()));
        return db;
    }

    /**
     * The service's state of one database: {@code WaitingForCutoverTrigger} while it follows the source and no
     * cutover was asked for; a validation failure is {@code Failed}.
     */
    private static String migrationState(MigrationRecord r, DatabaseProgress d) {
        if (d.status() == MigrationStatus.VALIDATION_FAILED) {
            return "Failed";
        }
        boolean following = !d.status().isFinal() && (d.status() == MigrationStatus.WAITING_FOR_USER_ACTION
                || d.replication().isPresent());
        if (following) {
            return r.cutoverRequestedAt().isEmpty() ? "WaitingForCutoverTrigger" : MigrationStatus.IN_PROGRESS.label();
        }
        return d.status().label();
    }

    private static ObjectNode validation(MigrationRecord r, Optional<PhaseSpan> phase) {
        ObjectNode v = JSON.createObjectNode();
        ArrayNode perDatabase = v.putArray("dbLevelValidationDetails");
        for (String database : r.spec().databases()) {
            List<ValidationResult> here = r.validationResults().stream()
                    .filter(result -> result.database().equals(Optional.of(database))).toList();
            if (here.isEmpty()) {
                continue;
            }
            ObjectNode db = perDatabase.addObject();
            db.put("databaseName", database);
            phase.flatMap(PhaseSpan::endedAt).ifPresent(e -> db.put("endedOn", e.toString()));
            phase.ifPresent(s -> db.put("startedOn", s.startedAt().toString()));
            db.set("summary", summary(here));
        }
        v.set("serverLevelValidationDetails", summary(r.validationResults().stream()
                .filter(result -> result.database().isEmpty()).toList()));
        r.validationStatus().ifPresent(s -> v.put("status", s.label()));
        phase.flatMap(PhaseSpan::endedAt).ifPresent(e -> v.put("validationEndTimeInUtc", e.toString()));
        phase.ifPresent(s -> v.put("validationStartTimeInUtc", s.startedAt().toString()));
        return v;
    }

    /** One item per check, its worst state, and a message for each result that is not Succeeded. */
    private static ArrayNode summary(List<ValidationResult> results) {
        Map<String, List<ValidationResult>> byCheck = new LinkedHashMap<>();
        results.forEach(result -> byCheck.computeIfAbsent(result.validatorId(), k -> new java.util.ArrayList<>())
                .add(result));
        ArrayNode items = JSON.createArrayNode();
        byCheck.forEach((check, found) -> {
            ObjectNode item = items.addObject();
            item.put("type", check);
            List<ValidationResult> problems = found.stream().filter(f -> f.status() != ValidationStatus.SUCCEEDED)
                    .toList();
            if (!problems.isEmpty()) {
                ArrayNode messages = item.putArray("messages");
                problems.forEach(f -> messages.addObject().put("message", f.found() + " " + f.remedy())
                        .put("state", f.status().label()));
            }
            item.put("state", found.stream().map(ValidationResult::status).reduce(ValidationStatus::worst)
                    .orElse(ValidationStatus.SUCCEEDED).label());
        });
        return items;
    }

    private static Optional<PhaseSpan> phase(MigrationReport report, MigrationSubstatus phase) {
        return report.timeline().stream().filter(s -> s.phase() == phase).findFirst();
    }

    /** The service's {@code host:port@user}, with an IPv6 host in brackets. */
    private static String resourceId(ServerSpec server) {
        return server.address() + "@" + server.adminLogin();
    }

    private static String flag(boolean value) {
        return value ? "True" : "False";
    }

    /** The service's spelling: Prefer, Require, VerifyCA, VerifyFull (and Disable, which it does not offer). */
    static String sslMode(SslMode mode) {
        return switch (mode) {
            case DISABLE -> "Disable";
            case PREFER -> "Prefer";
            case REQUIRE -> "Require";
            case VERIFY_CA -> "VerifyCA";
            case VERIFY_FULL -> "VerifyFull";
        };
    }
}
