package dev.pgmigrate.core.internal.run;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.SpecProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The engine's own {@code settings.options}, each read and checked here only, and all checked before a migration
 * writes anything: a bad value is a spec problem naming the field, never a record stuck half way.
 */
public final class EngineOptions {
    /**
     * Every option the engine reads. Their prefixes (indexes, verify, schema, source, connection, roles,
     * rollback, online, ssl) are the engine's: another name under one of them is a typo, refused.
     */
    public static final Set<String> NAMES = Set.of("indexes.parallelWorkers", "verify.duringCopy",
            "verify.rereadSource", "verify.targetHashes", "schema.noToastCompression", "source.lockTimeoutSeconds",
            "connection.socketTimeoutSeconds", "connection.watchSeconds", "roles.scope", "rollback.waitSeconds",
            "online.replicaIdentityFull", "online.applyGroupStatements", "online.cutoverWaitSeconds",
            "online.reconnectSeconds", "ssl.rootCert");

    private EngineOptions() {
    }

    /**
     * Checks every option the engine reads.
     *
     * @throws InvalidSpecException listing each option whose value is wrong, with the values it takes
     */
    public static void check(MigrationSettings settings) {
        List<SpecProblem> problems = problems(settings);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
    }

    /** Each option the engine reads whose value is wrong, with the values it takes; empty when none is. */
    public static List<SpecProblem> problems(MigrationSettings settings) {
        List<SpecProblem> problems = new ArrayList<>();
        List<Consumer<MigrationSettings>> checks = List.of(s -> parallelIndexWorkers(s), s -> verifyDuringCopy(s),
                s -> verifyRereadSource(s), s -> verifyTargetHashes(s), s -> noToastCompression(s), s -> lockTimeoutSeconds(s), s -> socketTimeoutSeconds(s),
                s -> rolesScope(s), s -> rollbackWaitSeconds(s), s -> watchSeconds(s), s -> replicaIdentityFull(s),
                s -> applyGroupStatements(s), s -> cutoverWaitSeconds(s), s -> reconnectSeconds(s));
        for (Consumer<MigrationSettings> check : checks) {
            try {
                check.accept(settings);
            } catch (MigrationException e) {
                String message = e.getMessage();
                int is = message.indexOf(" is '");
                String field = is > 0 ? message.substring(0, is) : "settings.options";
                String value = is > 0 ? message.substring(is + 5, message.indexOf('\'', is + 5)) : "";
                problems.add(new SpecProblem(field, value, message.substring(message.indexOf(':') + 1).trim()));
            }
        }
        return problems;
    }

    /** The setting {@code options.connection.socketTimeoutSeconds}: seconds, 1 to 86400, or none. */
    static void socketTimeoutSeconds(MigrationSettings settings) {
        if (settings.option("connection.socketTimeoutSeconds").isPresent()) {
            intOption(settings, "connection.socketTimeoutSeconds", 0, 1, 86_400, "a whole number of seconds from 1 to "
                    + "86400 (how long a read waits for a server's answer)");
        }
    }

    /**
     * An integer option from {@code min} to {@code max}, {@code otherwise} when it is not set.
     *
     * @throws MigrationException naming the option, its value and {@code uses}, what it takes
     */
    static int intOption(MigrationSettings settings, String name, int otherwise, int min, int max, String uses) {
        String value = settings.option(name).orElse(String.valueOf(otherwise)).trim();
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new MigrationException(MessageCode.SPEC_INVALID,
                "settings.options." + name + " is '" + value + "': use " + uses + ".");
    }

    /** A boolean option, {@code true} or {@code false}, {@code otherwise} when it is not set. */
    static boolean booleanOption(MigrationSettings settings, String name, boolean otherwise, String uses) {
        String value = settings.option(name).orElse(String.valueOf(otherwise)).trim();
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new MigrationException(MessageCode.SPEC_INVALID,
                "settings.options." + name + " is '" + value + "': use " + uses + ".");
    }

    /** The setting {@code options.roles.scope}: {@code needed} (the default) or {@code all}. */
    static void rolesScope(MigrationSettings settings) {
        settings.option("roles.scope").map(String::trim).ifPresent(value -> {
            if (!value.equals("all") && !value.equals("needed")) {
                throw new MigrationException(MessageCode.SPEC_INVALID,
                        "settings.options.roles.scope is '" + value + "': use needed (the roles "
                        + "the databases depend on, the default) or all (every role that is not built in).");
            }
        });
    }

    /** The setting {@code options.verify.duringCopy}: {@code true} (the default) or {@code false}. */
    public static boolean verifyDuringCopy(MigrationSettings settings) {
        return booleanOption(settings, "verify.duringCopy", true, "true (compare each table as soon as it is in, "
                + "the default) or false (compare every table at completion)");
    }

    /**
     * The setting {@code options.verify.rereadSource}: {@code false} (the default) compares what the copy read from
     * the source, checksummed as it passed, with the target's rows read back; {@code true} hashes the source's rows
     * again on the source, as {@code pgmigrate verify} does.
     */
    public static boolean verifyRereadSource(MigrationSettings settings) {
        return booleanOption(settings, "verify.rereadSource", false, "false (checksum the rows as the copy reads "
                + "them, the default) or true (hash the source's rows again on the source)");
    }

    /**
     * The setting {@code options.verify.targetHashes}: {@code true} (the default) has a target of 14 or later hash
     * its own rows as the copy hashed the source's, for tables whose column types allow it; {@code false} reads
     * every table back through the mover that copied it.
     */
    public static boolean verifyTargetHashes(MigrationSettings settings) {
        return booleanOption(settings, "verify.targetHashes", true, "true (the target hashes its own rows where "
                + "it can, the default) or false (read every table back from the target)");
    }

    /**
     * The setting {@code options.schema.noToastCompression}: {@code true} creates every column with the target's
     * default compression, as pg_dump's {@code --no-toast-compression} (for a target built without lz4).
     */
    public static boolean noToastCompression(MigrationSettings settings) {
        return booleanOption(settings, "schema.noToastCompression", false, "true (columns take the target's "
                + "default compression, as pg_dump --no-toast-compression) or false (they keep the source's, the "
                + "default)");
    }

    /**
     * The setting {@code options.online.replicaIdentityFull}: {@code true} lets an Online migration give the source's
     * tables that have no usable replica identity {@code REPLICA IDENTITY FULL} until it ends (journaled as
     * {@link JournalKind#SOURCE_REPLICA_IDENTITY}); {@code false}, the default, leaves them to fail validation.
     */
    public static boolean replicaIdentityFull(MigrationSettings settings) {
        return booleanOption(settings, "online.replicaIdentityFull", false, "true (an Online migration sets "
                + "REPLICA IDENTITY FULL on the source's tables that have no usable replica identity, and sets them "
                + "back afterwards) or false (such tables fail validation, the default)");
    }

    /** Whether {@code options.indexes.parallelWorkers} is set, fixing every build's parallel workers. */
    public static boolean parallelIndexWorkersFixed(MigrationSettings settings) {
        return settings.option("indexes.parallelWorkers").isPresent();
    }

    /** The setting {@code options.indexes.parallelWorkers}: 0 (the default) to 1024. */
    public static int parallelIndexWorkers(MigrationSettings settings) {
        return intOption(settings, "indexes.parallelWorkers", 0, 0, 1024, "a whole number from 0 (each "
                + "index built by one process, the default) to 1024");
    }

    /** The setting {@code options.source.lockTimeoutSeconds}: how long to wait for a table another session holds. */
    public static int lockTimeoutSeconds(MigrationSettings settings) {
        return intOption(settings, "source.lockTimeoutSeconds", 60, 1, 86_400, "a whole number of "
                + "seconds from 1 to 86400 (how long to wait for a table another session holds; default 60)");
    }

    /** The setting {@code options.rollback.waitSeconds}: how long a rollback waits for an unavailable target. */
    static int rollbackWaitSeconds(MigrationSettings settings) {
        return intOption(settings, "rollback.waitSeconds", 60, 0, 3600, "a whole number of seconds from "
                + "0 to 3600 (how long a rollback waits for a target that is unavailable, such as one restarting; "
                + "default 60)");
    }

    /** The setting {@code options.connection.watchSeconds}: 1 to 3600, default 10. */
    static int watchSeconds(MigrationSettings settings) {
        return intOption(settings, "connection.watchSeconds", 10, 1, 3600, "a whole number of seconds "
                + "from 1 to 3600 (how often each server is asked whether it still answers; default 10)");
    }

    /**
     * The setting {@code options.online.cutoverWaitSeconds}: how long a cutover goes on while the source is still
     * written before it stops, the migration following again; 1 to 86400, default 120.
     */
    public static int cutoverWaitSeconds(MigrationSettings settings) {
        return intOption(settings, "online.cutoverWaitSeconds", 120, 1, 86_400, "a whole number of seconds from 1 "
                + "to 86400 (how long an online migration's cutover goes on while the source is still written before "
                + "it stops and the migration follows the source again; default 120)");
    }

    /**
     * The setting {@code options.online.reconnectSeconds}: how long an online migration's stream, its connection
     * broken, is taken up again before the migration fails; 1 to 86400, default 300.
     */
    public static int reconnectSeconds(MigrationSettings settings) {
        return intOption(settings, "online.reconnectSeconds", 300, 1, 86_400, "a whole number of seconds from 1 to "
                + "86400 (how long an online migration's stream is taken up again after its connection broke before "
                + "the migration fails; default 300)");
    }

    /** The setting {@code options.online.applyGroupStatements}: statements per target transaction, default 1000. */
    public static int applyGroupStatements(MigrationSettings settings) {
        return intOption(settings, "online.applyGroupStatements", 1000, 1, 1_000_000, "a whole number from 1 to "
                + "1000000 (how many statements of small source transactions an online migration's apply groups "
                + "into one target transaction; default 1000)");
    }
}
