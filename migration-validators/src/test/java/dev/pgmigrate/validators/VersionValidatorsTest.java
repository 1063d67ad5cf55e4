package dev.pgmigrate.validators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ValidationStatus;
import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import dev.pgmigrate.testkit.ValidatorTestKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@PostgresTest
class VersionValidatorsTest {
    /** A context that only names the validator, for checking a result built from rewritten facts. */
    private record NamedContext(String validatorId) implements ValidationContext {
        @Override
        public MigrationSpec spec() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ServerAccess source() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ServerAccess target() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<String> database() {
            return Optional.empty();
        }
    }

    @Test
    void acceptsA96Source(@Pg("9.6") PostgresServer source, @Pg("17") PostgresServer target) {
        ValidatorTestKit.validator("source-version").source(source).target(target).run().assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("9.6");
    }

    @Test
    void refusesASourceOlderThan95FromA96ServersAnswerRewritten(@Pg("9.6") PostgresServer source) {
        int real = (int) source.queryForLong("postgres", "SELECT current_setting('server_version_num')::int");
        int rewritten = 90400 + real % 100;
        ServerFacts facts = new ServerFacts(rewritten, "9.4." + real % 100, "postgres", true, true, true, false,
                "postgres", List.of());
        assertThat(SourceVersionValidator.classify(real)).isEqualTo(ValidationStatus.SUCCEEDED);
        assertThat(SourceVersionValidator.classify(rewritten)).isEqualTo(ValidationStatus.FAILED);
        assertThat(SourceVersionValidator.result(new NamedContext("source-version"), facts).remedy())
                .contains("9.5");
    }

    @Test
    void warnsAcrossMajorsWithTheReleaseNotes(@Pg("9.6") PostgresServer source, @Pg("11") PostgresServer target) {
        ValidatorTestKit.validator("target-version").source(source).target(target).run().assertThatResults()
                .hasStatus(ValidationStatus.WARNING).mentions("major 9.6", "major 11", "release/10.0", "release/11.0");
    }

    @Test
    void refusesADowngrade(@Pg("17") PostgresServer source, @Pg("11") PostgresServer target) {
        ValidatorTestKit.validator("target-version").source(source).target(target).run().assertThatResults()
                .hasStatus(ValidationStatus.FAILED).mentions("major 17", "major 11");
    }

    @Test
    void acceptsTheSameMajor(@Pg("17") PostgresServer source) {
        ValidatorTestKit.validator("target-version").source(source).target(source).run().assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED);
    }

    @Test
    void findsAPgDumpForAnOldSource(@Pg("11") PostgresServer source) {
        ValidatorTestKit.validator("pg-dump-available").source(source).target(source).run().assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("pg_dump", "Looked in");
    }

    @Test
    void asksOnlyTheConfiguredPgDumpWhenItIsNewEnough(@Pg("11") PostgresServer source, @TempDir Path dir)
            throws Exception {
        Path pgDump = dir.resolve("pg_dump");
        Path asked = dir.resolve("asked");
        Files.writeString(pgDump, "#!/bin/sh\necho asked >> '" + asked + "'\necho 'pg_dump (PostgreSQL) 12.3'\n");
        Files.setPosixFilePermissions(pgDump, PosixFilePermissions.fromString("rwx------"));

        ValidatorTestKit.validator("pg-dump-available").source(source).target(source)
                .settings(s -> s.pgDumpDirectory(dir.toString())).run().assertThatResults()
                .hasStatus(ValidationStatus.SUCCEEDED).mentions("Looked in 1 directory: " + dir,
                        "pg_dump (PostgreSQL) 12.3", "able to dump PostgreSQL 11");
        assertThat(Files.readAllLines(asked)).hasSize(1);
    }

    @Test
    void failsWhenEveryPgDumpIsOlderThanTheSource(@Pg("18") PostgresServer source) {
        ValidatorTestKit.validator("pg-dump-available").source(source).target(source)
                .settings(s -> s.pgDumpDirectory("/nonexistent")).run().assertThatResults()
                .hasStatus(ValidationStatus.FAILED).mentions("/nonexistent", "postgresql-client-18");
    }

    @Test
    void readsPgDumpVersions() {
        assertThat(PgDumpValidator.rank("pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)")).contains(150000);
        assertThat(PgDumpValidator.rank("pg_dump (PostgreSQL) 9.6.24")).contains(90600);
    }
}
