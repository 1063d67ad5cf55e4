package dev.pgmigrate.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a migration runs. New settings arrive with defaults, so callers built against an older version keep
 * working; plugins read their own settings from {@link #options()}.
 *
 * @param parallelism the size of the one worker pool shared by every database and table, 1 to 256
 * @param overwriteDbsInTarget whether a database that exists on the target is dropped and recreated
 * @param migrateRoles whether the roles the databases need are created on the target
 * @param verify whether row counts, checksums and object counts are compared after the copy
 * @param serverParameters whether differing server parameters are only reported or also applied
 * @param splitTablesLargerThanBytes tables larger than this are copied in ranges by several workers at once
 * @param maintenanceWorkMem {@code maintenance_work_mem} for index builds on the target, such as {@code "512MB"}
 * @param connectTimeout how long to wait for a server to accept a connection
 * @param pgDumpDirectory a directory holding {@code pg_dump} and {@code pg_restore}, searched first
 * @param extensionAllowListParameter the target's parameter listing allowed extensions, such as
 *     {@code "azure.extensions"}; when absent, well-known names are tried
 * @param options further settings by name, for plugins and experiments, such as {@code "copy.bufferBytes"}
 * @param selection what moves of each database: schemas, tables, their rows (since 0.3; everything by default)
 * @param skipAnalyze whether the target's tables are left unanalyzed, their statistics to autovacuum, as
 *     {@code pg_restore} leaves them (since 0.3; analyzed by default)
 * @since 0.1
 */
@Stable(since = "0.1")
public record MigrationSettings(int parallelism, boolean overwriteDbsInTarget, boolean migrateRoles, boolean verify,
        ServerParametersMode serverParameters, long splitTablesLargerThanBytes, String maintenanceWorkMem,
        Duration connectTimeout, Optional<String> pgDumpDirectory, Optional<String> extensionAllowListParameter,
        Map<String, String> options, Selection selection, boolean skipAnalyze) {

    /** Tables above 128 MiB are split by default. */
    public static final long DEFAULT_SPLIT_BYTES = 128L * 1024 * 1024;

    public MigrationSettings {
        Objects.requireNonNull(pgDumpDirectory, "pgDumpDirectory must not be null; use Optional.empty()");
        Objects.requireNonNull(extensionAllowListParameter,
                "extensionAllowListParameter must not be null; use Optional.empty()");
        Objects.requireNonNull(options, "options must not be null");
        options = Map.copyOf(options);
        selection = selection == null ? Selection.everything() : selection;
        List<SpecProblem> problems = new ArrayList<>();
        if (parallelism < 1 || parallelism > 256) {
            problems.add(new SpecProblem("settings.parallelism", String.valueOf(parallelism),
                    "must be between 1 and 256 workers"));
        }
        if (serverParameters == null) {
            problems.add(new SpecProblem("settings.serverParameters", "null", "use report or apply"));
        }
        if (splitTablesLargerThanBytes < 1024 * 1024) {
            problems.add(new SpecProblem("settings.splitTablesLargerThanBytes",
                    String.valueOf(splitTablesLargerThanBytes), "must be at least 1048576 (1 MiB)"));
        }
        if (maintenanceWorkMem == null || !maintenanceWorkMem.matches("\\d+\\s*(kB|MB|GB|TB)?")) {
            problems.add(new SpecProblem("settings.maintenanceWorkMem", String.valueOf(maintenanceWorkMem),
                    "must be a PostgreSQL memory size such as 512MB or 2GB"));
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()
                || connectTimeout.toSeconds() > 3600) {
            problems.add(new SpecProblem("settings.connectTimeoutSeconds",
                    connectTimeout == null ? "null" : String.valueOf(connectTimeout.toSeconds()),
                    "must be between 1 and 3600 seconds"));
        }
        if (selection.content() == Selection.Content.DATA_ONLY && overwriteDbsInTarget) {
            problems.add(new SpecProblem("settings.selection.dataOnly", "true", "data only fills the tables of the "
                    + "database that exists on the target, and overwriteDbsInTarget would replace that database: "
                    + "leave out one of them"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
    }

    /** The settings before {@code skipAnalyze}: every table analyzed. */
    public MigrationSettings(int parallelism, boolean overwriteDbsInTarget, boolean migrateRoles, boolean verify,
            ServerParametersMode serverParameters, long splitTablesLargerThanBytes, String maintenanceWorkMem,
            Duration connectTimeout, Optional<String> pgDumpDirectory, Optional<String> extensionAllowListParameter,
            Map<String, String> options, Selection selection) {
        this(parallelism, overwriteDbsInTarget, migrateRoles, verify, serverParameters, splitTablesLargerThanBytes,
                maintenanceWorkMem, connectTimeout, pgDumpDirectory, extensionAllowListParameter, options, selection,
                false);
    }

    /** The settings of versions before 0.3, which moved everything. */
    public MigrationSettings(int parallelism, boolean overwriteDbsInTarget, boolean migrateRoles, boolean verify,
            ServerParametersMode serverParameters, long splitTablesLargerThanBytes, String maintenanceWorkMem,
            Duration connectTimeout, Optional<String> pgDumpDirectory, Optional<String> extensionAllowListParameter,
            Map<String, String> options) {
        this(parallelism, overwriteDbsInTarget, migrateRoles, verify, serverParameters, splitTablesLargerThanBytes,
                maintenanceWorkMem, connectTimeout, pgDumpDirectory, extensionAllowListParameter, options,
                Selection.everything());
    }

    /** The defaults: one worker per core, no overwrite, roles migrated, verification on. */
    public static MigrationSettings defaults() {
        return builder().build();
    }

    /** A builder preset with {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.parallelism = parallelism;
        b.overwriteDbsInTarget = overwriteDbsInTarget;
        b.migrateRoles = migrateRoles;
        b.verify = verify;
        b.serverParameters = serverParameters;
        b.splitTablesLargerThanBytes = splitTablesLargerThanBytes;
        b.maintenanceWorkMem = maintenanceWorkMem;
        b.connectTimeout = connectTimeout;
        b.pgDumpDirectory = pgDumpDirectory.orElse(null);
        b.extensionAllowListParameter = extensionAllowListParameter.orElse(null);
        b.options.putAll(options);
        b.selection = selection;
        b.skipAnalyze = skipAnalyze;
        return b;
    }

    /** The option named {@code name}, such as {@code "copy.bufferBytes"}. */
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** Builds {@link MigrationSettings}; every setter is optional. */
    public static final class Builder {
        private int parallelism = Math.max(1, Runtime.getRuntime().availableProcessors());
        private boolean overwriteDbsInTarget;
        private boolean migrateRoles = true;
        private boolean verify = true;
        private ServerParametersMode serverParameters = ServerParametersMode.REPORT;
        private long splitTablesLargerThanBytes = DEFAULT_SPLIT_BYTES;
        private String maintenanceWorkMem = "512MB";
        private Duration connectTimeout = Duration.ofSeconds(15);
        private String pgDumpDirectory;
        private String extensionAllowListParameter;
        private final Map<String, String> options = new LinkedHashMap<>();
        private Selection selection = Selection.everything();
        private boolean skipAnalyze;

        private Builder() {
        }

        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        public Builder overwriteDbsInTarget(boolean overwriteDbsInTarget) {
            this.overwriteDbsInTarget = overwriteDbsInTarget;
            return this;
        }

        public Builder migrateRoles(boolean migrateRoles) {
            this.migrateRoles = migrateRoles;
            return this;
        }

        public Builder verify(boolean verify) {
            this.verify = verify;
            return this;
        }

        public Builder serverParameters(ServerParametersMode serverParameters) {
            this.serverParameters = serverParameters;
            return this;
        }

        public Builder splitTablesLargerThanBytes(long splitTablesLargerThanBytes) {
            this.splitTablesLargerThanBytes = splitTablesLargerThanBytes;
            return this;
        }

        public Builder maintenanceWorkMem(String maintenanceWorkMem) {
            this.maintenanceWorkMem = maintenanceWorkMem;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** A directory holding {@code pg_dump}, or {@code null} to search PATH and the usual places. */
        public Builder pgDumpDirectory(String pgDumpDirectory) {
            this.pgDumpDirectory = pgDumpDirectory;
            return this;
        }

        /** The target's extension allow-list parameter, or {@code null} to try well-known names. */
        public Builder extensionAllowListParameter(String extensionAllowListParameter) {
            this.extensionAllowListParameter = extensionAllowListParameter;
            return this;
        }

        public Builder option(String name, String value) {
            options.put(Objects.requireNonNull(name, "name must not be null"),
                    Objects.requireNonNull(value, "value must not be null"));
            return this;
        }

        /** What moves of each database; {@link Selection#everything()} by default. */
        public Builder selection(Selection selection) {
            this.selection = Objects.requireNonNull(selection, "selection must not be null");
            return this;
        }

        /** Whether the target's tables are left unanalyzed, their statistics to autovacuum; false by default. */
        public Builder skipAnalyze(boolean skipAnalyze) {
            this.skipAnalyze = skipAnalyze;
            return this;
        }

        /** @throws InvalidSpecException listing every invalid setting */
        public MigrationSettings build() {
            return new MigrationSettings(parallelism, overwriteDbsInTarget, migrateRoles, verify, serverParameters,
                    splitTablesLargerThanBytes, maintenanceWorkMem, connectTimeout,
                    Optional.ofNullable(pgDumpDirectory), Optional.ofNullable(extensionAllowListParameter), options,
                    selection, skipAnalyze);
        }
    }
}
