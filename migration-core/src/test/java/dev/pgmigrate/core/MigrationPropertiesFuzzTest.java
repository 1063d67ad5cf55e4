package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random mutations of valid properties files, through the parser and the spec builder: every input
 * gives a valid spec or an {@link InvalidSpecException} (a {@link MigrationException} at worst), never another
 * exception, a stack overflow or a hang. The seed is printed; set {@code -Dpgmigrate.fuzz.seed} to replay one.
 */
class MigrationPropertiesFuzzTest {
    private static final int ITERATIONS = 3000;
    private static final long PER_INPUT_SECONDS = 5;
    private static final String VALID = """
            {"properties": {
              "sourceServer": {"host": "src.example.com", "port": 5432, "adminLogin": "admin",
                               "password": "s3cret", "sslMode": "require", "type": "OnPremises"},
              "targetServer": {"host": "dst.example.com", "port": 5433, "adminLogin": "pgadmin",
                               "password": {"file": "target.pw"}, "sslMode": "verify-full"},
              "dbsToMigrate": ["shop", "orders", "ünïcödé \\"db\\""],
              "overwriteDbsInTarget": false,
              "migrationOption": "ValidateAndMigrate",
              "migrationMode": "Offline",
              "migrateRoles": true,
              "settings": {"parallelism": 4, "verify": true, "serverParameters": "report",
                           "splitTablesLargerThanBytes": 1073741824, "maintenanceWorkMem": "256MB",
                           "connectTimeoutSeconds": 10, "options": {"copy.bufferBytes": "262144",
                           "connection.socketTimeoutSeconds": "30"}}}}
            """;
    /** The managed service's shape: its user names in secretParameters, the target by its FQDN. */
    private static final String VALID_SERVICE = """
            {"properties": {"SourceDBServerResourceId": "10.0.0.4:5432@postgres",
              "SecretParameters": {"AdminCredentials": {"SourceServerPassword": "s3cret", "TargetServerPassword": "t"},
                                   "TargetServerUserName": "azureadmin", "SourceServerUsername": "postgres"},
              "DBsToMigrate": ["inventory", "orders"], "OverwriteDbsInTarget": "true", "SourceType": "AWS_RDS",
              "SslMode": "Prefer", "TargetDbServerFullyQualifiedDomainName": "pg.example.com",
              "triggerCutover": "False", "migrationRuntimeResourceId": "/subscriptions/1/x"}}
            """;
    private static final String[] TARGETS = {"pg.example.com", "pg.example.com:6432", "[::1]:5432", "other:1", ":",
        "[", "x:99999", "a b"};
    private static final String[] VALUES = {"null", "true", "false", "0", "-1", "2147483648", "9223372036854775808",
        "1e999999", "-0.0", "1.5", "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "[]", "{}", "[[[]]]", "{\"a\": {}}",
        "\"template0\"", "\"Online\"", "\"Validate\"", "\"file:/etc/shadow\"", "{\"file\": \"../../x\"}",
        "{\"env\": \"\"}", "\"-bad-name\"", "\"" + "x".repeat(70) + "\"", "\"'; DROP DATABASE x; --\"",
        "\"\u202e\u0301\ufeff\"", "NaN", "Infinity", "0x10", "01", "\"\\\\\""};
    private static final String[] KEYS = {"properties", "sourceServer", "targetServer", "host", "port", "adminLogin",
        "password", "sslMode", "dbsToMigrate", "settings", "options", "parallelism", "unknown", "", "\u0000",
        "secretParameters", "adminCredentials", "sourceServerPassword", "migrationOption", "migrationMode",
        "targetDbServerFullyQualifiedDomainName", "sourceDbServerResourceId", "targetServerUserName", "triggerCutover"};

    private static ExecutorService runner;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startRunner() throws Exception {
        Files.writeString(dir.resolve("target.pw"), "t4rget");
        // A thread with a large stack: a deep-nesting input that overflows it is still a failure of the parser.
        runner = Executors.newSingleThreadExecutor(r -> new Thread(null, r, "fuzz", 4L << 20));
    }

    @AfterAll
    static void stopRunner() {
        runner.shutdownNow();
    }

    @Test
    void everyMutatedFileGivesAValidSpecOrAClearError() throws Exception {
        long seed = Long.getLong("pgmigrate.fuzz.seed", 20240917L);
        System.out.println("MigrationPropertiesFuzzTest seed " + seed);
        Random random = new Random(seed);
        int valid = 0;
        int invalid = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            boolean service = random.nextBoolean();
            byte[] input = mutate(random, (service ? VALID_SERVICE : VALID).getBytes(StandardCharsets.UTF_8),
                    1 + random.nextInt(4));
            String name = random.nextInt(4) == 0 ? randomText(random, 1 + random.nextInt(80)) : "fuzz-" + i;
            String target = service && random.nextBoolean() ? pick(random, TARGETS) : null;
            Outcome outcome = run(input, name, target, seed, i);
            if (outcome == Outcome.VALID) {
                valid++;
            } else {
                invalid++;
            }
        }
        System.out.println("MigrationPropertiesFuzzTest: " + valid + " valid specs, " + invalid + " clear errors");
        assertThat(invalid).as("the mutations do break files").isGreaterThan(ITERATIONS / 2);
    }

    @Test
    void hugeAndDeeplyNestedFilesGiveClearErrors() throws Exception {
        List<byte[]> inputs = new ArrayList<>();
        inputs.add(("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8));
        inputs.add(("{\"properties\": " + "{\"a\": ".repeat(50_000) + "1" + "}".repeat(50_001))
                .getBytes(StandardCharsets.UTF_8));
        inputs.add(VALID.replace("\"shop\"", "\"" + "s".repeat(20 << 20) + "\"").getBytes(StandardCharsets.UTF_8));
        inputs.add(VALID.replace("5432", "9".repeat(5_000_000)).getBytes(StandardCharsets.UTF_8));
        inputs.add(VALID.replace("\"shop\"", "\"shop\"" + ", \"x\"".repeat(200_000)).getBytes(StandardCharsets.UTF_8));
        inputs.add(new byte[] {(byte) 0xff, (byte) 0xfe, '{', 0, '}', 0});
        inputs.add(VALID.replace("admin\"", "adm\u00ff\"").getBytes(StandardCharsets.ISO_8859_1));
        inputs.add(VALID.getBytes(StandardCharsets.UTF_16));
        inputs.add(("\uFEFF" + VALID).getBytes(StandardCharsets.UTF_8));
        inputs.add(new byte[0]);
        for (int i = 0; i < inputs.size(); i++) {
            run(inputs.get(i), "huge-" + i, null, -1, i);
        }
    }

    private enum Outcome { VALID, INVALID }

    /**
     * Parses from a file (encoding checks included), with {@code target} as the command line's target when it is
     * not {@code null}, and builds the spec; fails the test on anything unclear.
     */
    private static Outcome run(byte[] input, String name, String target, long seed, int iteration) throws Exception {
        Path file = dir.resolve("fuzz.json");
        Files.write(file, input);
        Future<Outcome> result = runner.submit(() -> {
            MigrationProperties properties = target == null ? MigrationProperties.read(file)
                    : MigrationProperties.read(file, target);
            properties.toSpec(name);
            properties.toSpec(name, MigrationOption.VALIDATE, MigrationMode.OFFLINE);
            properties.settings().options();
            return Outcome.VALID;
        });
        try {
            return result.get(PER_INPUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new AssertionError(describe(seed, iteration, input) + " did not finish within " + PER_INPUT_SECONDS
                    + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvalidSpecException invalid) {
                assertThat(invalid.getMessage()).as(describe(seed, iteration, input)).isNotBlank();
                assertThat(invalid.problems()).as(describe(seed, iteration, input)).isNotEmpty();
                return Outcome.INVALID;
            }
            if (cause instanceof MigrationException) {
                assertThat(cause.getMessage()).as(describe(seed, iteration, input)).isNotBlank();
                return Outcome.INVALID;
            }
            fail(describe(seed, iteration, input) + " threw " + cause, cause);
            return Outcome.INVALID;
        }
    }

    private static String describe(byte[] input, int limit) {
        String text = new String(input, StandardCharsets.UTF_8);
        return text.length() > limit ? text.substring(0, limit) + "... (" + input.length + " bytes)" : text;
    }

    private static String describe(long seed, int iteration, byte[] input) {
        return "seed " + seed + ", input " + iteration + " [" + describe(input, 400) + "]";
    }

    private static byte[] mutate(Random random, byte[] valid, int mutations) {
        byte[] current = valid;
        for (int m = 0; m < mutations; m++) {
            String text = new String(current, StandardCharsets.UTF_8);
            current = switch (random.nextInt(9)) {
                case 0 -> flipByte(random, current);
                case 1 -> deleteRange(random, current);
                case 2 -> insertBytes(random, current);
                case 3 -> replaceValue(random, text).getBytes(StandardCharsets.UTF_8);
                case 4 -> replaceKey(random, text).getBytes(StandardCharsets.UTF_8);
                case 5 -> nest(random, text).getBytes(StandardCharsets.UTF_8);
                case 6 -> duplicateRange(random, current);
                case 7 -> text.replace(pick(random, new String[] {"\"s3cret\"", "5432", "[\"shop\"", "4"}),
                        pick(random, VALUES)).getBytes(StandardCharsets.UTF_8);
                default -> truncate(random, current);
            };
        }
        return current;
    }

    private static byte[] flipByte(Random random, byte[] in) {
        byte[] out = in.clone();
        if (out.length > 0) {
            out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
    }

    private static byte[] deleteRange(Random random, byte[] in) {
        if (in.length == 0) {
            return in;
        }
        int from = random.nextInt(in.length);
        int to = Math.min(in.length, from + 1 + random.nextInt(20));
        byte[] out = new byte[in.length - (to - from)];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(in, to, out, from, in.length - to);
        return out;
    }

    private static byte[] insertBytes(Random random, byte[] in) {
        byte[][] choices = {{(byte) 0xc3}, {(byte) 0xff, (byte) 0xfe}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            {0}, {'"'}, {'\\'}, {'{'}, {']'}, {','}, {(byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80}};
        byte[] insert = choices[random.nextInt(choices.length)];
        int at = in.length == 0 ? 0 : random.nextInt(in.length);
        byte[] out = new byte[in.length + insert.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(in, at, out, at + insert.length, in.length - at);
        return out;
    }

    private static byte[] duplicateRange(Random random, byte[] in) {
        if (in.length == 0) {
            return in;
        }
        int from = random.nextInt(in.length);
        int len = Math.min(in.length - from, 1 + random.nextInt(60));
        byte[] out = new byte[in.length + len];
        System.arraycopy(in, 0, out, 0, from + len);
        System.arraycopy(in, from, out, from + len, in.length - from);
        return out;
    }

    private static byte[] truncate(Random random, byte[] in) {
        return in.length == 0 ? in : java.util.Arrays.copyOf(in, random.nextInt(in.length));
    }

    /**
     * Replaces one JSON scalar (a string, number or literal after a colon) with another value of any type. The
     * string's pattern is possessive: a mutated file's string may run for thousands of characters, and a
     * backtracking one recursed once per character, overflowing the test thread's stack.
     */
    private static String replaceValue(Random random, String text) {
        List<int[]> spans = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                ":\\s*(\"(?:[^\"\\\\]++|\\\\.)*+\"|-?\\d+|true|false|null)").matcher(text);
        while (m.find()) {
            spans.add(new int[] {m.start(1), m.end(1)});
        }
        if (spans.isEmpty()) {
            return text;
        }
        int[] span = spans.get(random.nextInt(spans.size()));
        String value = random.nextInt(5) == 0 ? "\"" + randomText(random, random.nextInt(300)) .replace("\\", "\\\\")
                .replace("\"", "\\\"") + "\"" : pick(random, VALUES);
        return text.substring(0, span[0]) + value + text.substring(span[1]);
    }

    private static String replaceKey(Random random, String text) {
        String key = pick(random, KEYS);
        return text.replaceFirst("\"" + java.util.regex.Pattern.quote(pick(random, KEYS)) + "\"",
                java.util.regex.Matcher.quoteReplacement("\"" + key + "\""));
    }

    /** Wraps a value in arrays or objects, a few levels or very many. */
    private static String nest(Random random, String text) {
        int depth = random.nextInt(8) == 0 ? 2000 + random.nextInt(3000) : 1 + random.nextInt(5);
        boolean array = random.nextBoolean();
        String open = array ? "[" : "{\"k\": ";
        String close = array ? "]" : "}";
        int at = text.indexOf(':', random.nextInt(Math.max(1, text.length())));
        if (at < 0) {
            return open.repeat(depth) + text + close.repeat(depth);
        }
        int end = at + 1;
        while (end < text.length() && ",}]".indexOf(text.charAt(end)) < 0) {
            end++;
        }
        return text.substring(0, at + 1) + open.repeat(depth) + text.substring(at + 1, end) + close.repeat(depth)
                + text.substring(end);
    }

    private static String randomText(Random random, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            sb.appendCodePoint(kind < 6 ? 0x20 + random.nextInt(0x5f) : kind < 8 ? 0xa0 + random.nextInt(0x2000)
                    : kind < 9 ? 0x1f600 + random.nextInt(0x40) : random.nextInt(0x20));
        }
        return sb.toString();
    }

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }
}
