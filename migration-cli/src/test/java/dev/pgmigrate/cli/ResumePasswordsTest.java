package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.cli.CliRuns.Result;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain-text password is not stored with the migration, so a resume from a process with no terminal has none.
 * It once ran anyway: the run and its rollback failed to log in, and the migration ended Failed, its copied work
 * lost. It is refused up front now, changing nothing, and the properties file that started it resumes it.
 */
@PostgresTest
class ResumePasswordsTest {
    @TempDir
    Path dir;

    @Test
    void aResumeWithoutThePlainTextPasswordsIsRefusedAndItsPropertiesFileResumesIt(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        CliRuns cli = new CliRuns(dir);
        String db = CliRuns.slowDatabase(source, "cliresumepw", 10_000);
        Path properties = cli.properties("resume-plain", source, target, List.of(db),
                "\"" + source.adminPassword().reveal() + "\"", "\"" + target.adminPassword().reveal() + "\"",
                ", \"settings\": {\"parallelism\": 1}");
        Process running = cli.start("migration", "create", "--name", "resume-plain", "--properties",
                properties.toString(), "--wait");
        cli.awaitLoading("resume-plain", running.toHandle());
        running.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no rollback runs
        cli.forget(running);

        // No terminal, no PGPASSWORD, no password file: nothing gives the passwords.
        Result refused = cli.pgmigrate(Map.of(), "migration", "resume", "--name", "resume-plain");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
        assertThat(refused.err()).contains("Cannot resume migration 'resume-plain' here")
                .contains("the source server " + source.host() + ":" + source.port() + " needs the password of "
                        + source.adminLogin())
                .contains("the target server " + target.host() + ":" + target.port() + " needs the password of "
                        + target.adminLogin())
                .contains("--properties FILE").contains("Nothing was changed");
        assertThat(refused.all()).doesNotContain("PGM-SERVER-SILENT").doesNotContain("Failed after");
        Result shown = cli.pgmigrate("migration", "show", "--name", "resume-plain");
        assertThat(shown.out()).contains("InProgress").contains("(interrupted)").contains("Left on the target");

        Result resumed = cli.pgmigrate(Map.of(), "migration", "resume", "--name", "resume-plain", "--properties",
                properties.toString());
        assertThat(resumed.exitCode()).as(resumed.all()).isZero();
        assertThat(resumed.out()).contains("Migration resume-plain: Succeeded");
        assertThat(target.queryForLong(db, "SELECT count(*) FROM big")).isEqualTo(10_000);
        for (Result r : List.of(refused, shown, resumed)) {
            CliRuns.assertNoSecrets(r, source, target);
        }
        source.dropDatabase(db);
        target.dropDatabase(db);
    }
}
