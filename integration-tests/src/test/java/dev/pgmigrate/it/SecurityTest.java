package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passwords stay secret, TLS settings are enforced, and the state directory is its owner's alone. */
@PostgresTest
class SecurityTest {
    @TempDir
    Path dir;

    @Test
    void aPlantedPasswordAppearsInNoLogRecordStateFileOrError(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("secret"));
        source.execute(db, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 100)");
        String login = "planted_" + Long.toString(System.nanoTime(), 36);
        String planted = "Pl4nted-S3cret-" + Long.toString(System.nanoTime(), 36) + "-x";
        source.execute("postgres", "CREATE ROLE " + login + " LOGIN SUPERUSER PASSWORD '" + planted + "'");
        try {
            Path state = dir.resolve("state");
            // A migration that succeeds, then one whose source password is wrong (the planted one, misspelt
            // differently), each in a process whose whole output is kept.
            String ok = runChild(state, "secret-ok", db, source, login, planted, target);
            String failed = runChild(state, "secret-failed", db, source, login, planted + "-wrong", target);

            try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
                MigrationRecord good = service.show("secret-ok").orElseThrow();
                assertThat(good.status()).as(good.errors().toString()).isEqualTo(MigrationStatus.SUCCEEDED);
                MigrationRecord bad = service.show("secret-failed").orElseThrow();
                assertThat(bad.status()).isIn(MigrationStatus.FAILED, MigrationStatus.VALIDATION_FAILED);
                assertThat(bad.errors().toString() + bad.validationResults()).contains("password")
                        .doesNotContain(planted);
                assertThat(good.toString() + bad.toString()).doesNotContain(planted);
            }
            assertThat(ok + failed).as("the processes logged").contains("secret-ok").doesNotContain(planted);
            try (Stream<Path> files = Files.walk(state)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(file, StandardCharsets.UTF_8)).as(file.toString())
                            .doesNotContain(planted);
                }
            }
            target.dropDatabase(db);
        } finally {
            source.execute("postgres", "DROP ROLE IF EXISTS " + login);
        }
    }

    @Test
    void theStateDirectoryIsReadableByItsOwnerOnly(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("perms"));
        source.execute(db, "CREATE TABLE t (id int)");
        Path state = dir.resolve("deeper/state");
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(state)).build()) {
            MigrationSpec spec = MigrationSpec.builder().name("perms").source(source.serverSpec())
                    .target(target.serverSpec()).databases(db).option(MigrationOption.VALIDATE).build();
            assertThat(service.start(spec).await(Duration.ofMinutes(2)).status()).isEqualTo(MigrationStatus.SUCCEEDED);
        }
        try (Stream<Path> paths = Files.walk(state)) {
            for (Path path : paths.toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).as(path.toString())
                        .isEqualTo(Files.isDirectory(path) ? "rwx------" : "rw-------");
            }
        }
    }

    @Test
    void requireRefusesAServerWithoutTls(@Pg("15") PostgresServer source, @Pg("17") PostgresServer target)
            throws Exception {
        String db = source.createDatabase(TestDatabases.unique("notls"));
        List<String> before = PluginJarTest.databases(target);
        ServerSpec require = ServerSpec.builder().host(source.host()).port(source.port())
                .adminLogin(source.adminLogin()).password(source.adminPassword()).sslMode(SslMode.REQUIRE).build();
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationRecord done = service.start(MigrationSpec.builder().name("no-tls").source(require)
                    .target(target.serverSpec()).databases(db).option(MigrationOption.MIGRATE).build())
                    .await(Duration.ofMinutes(2));
            assertThat(done.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(done.errors().get(0).text()).contains("source").contains(source.host() + ":" + source.port())
                    .contains("does not support SSL").contains("sslMode");
        }
        assertThat(PluginJarTest.databases(target)).isEqualTo(before);
    }

    @Test
    void verifyFullChecksTheCertificateAndItsHostName(@Pg("17") PostgresServer target) throws Exception {
        Path certs = PostgresServer.tempBase().resolve("certs-" + Long.toString(System.nanoTime(), 36));
        Files.createDirectories(certs);
        try {
            openssl(certs, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pgmigrate test CA",
                    "-keyout", "ca.key", "-out", "ca.crt");
            openssl(certs, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
                    "-out", "server.csr");
            Files.writeString(certs.resolve("san.ext"), "subjectAltName = DNS:localhost\n");
            openssl(certs, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                    "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.crt");
            Files.setPosixFilePermissions(certs.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
            run(certs, "chown", "-R", "nobody", certs.toString());
            try (PostgresServer source = PostgresServer.builder().version("15").setting("ssl", "on")
                    .setting("ssl_cert_file", certs.resolve("server.crt").toString())
                    .setting("ssl_key_file", certs.resolve("server.key").toString()).start();
                    MigrationService service = MigrationService.builder().build()) {
                String db = source.createDatabase("tls");
                // enough rows that the copy reads many TLS records and fills its buffer many times
                source.execute(db, "CREATE TABLE t (id int PRIMARY KEY, payload text)",
                        "INSERT INTO t SELECT g, repeat(md5(g::text), g % 9) FROM generate_series(1, 100000) g");
                String rootCert = certs.resolve("ca.crt").toString();

                MigrationRecord good = service.start(spec("tls-ok", source, "localhost", target, db,
                        MigrationSettings.builder().option("ssl.rootCert", rootCert).build()))
                        .await(Duration.ofMinutes(2));
                assertThat(good.status()).as("%s", good.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
                String content = "SELECT count(*) || ':' || sum(hashtext(payload)::bigint + id) FROM t";
                assertThat(target.queryForString(db, content)).isEqualTo(source.queryForString(db, content))
                        .startsWith("100000:");
                target.dropDatabase(db);

                List<String> before = PluginJarTest.databases(target);
                MigrationRecord wrongHost = service.start(spec("tls-wrong-host", source, PostgresServer.HOST, target,
                        db, MigrationSettings.builder().option("ssl.rootCert", rootCert).build()))
                        .await(Duration.ofMinutes(2));
                assertThat(wrongHost.status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(wrongHost.errors().get(0).text()).contains("source").contains(PostgresServer.HOST)
                        .containsIgnoringCase("hostname").contains("verify-full");

                Path wrongCa = certs.resolve("other.crt");
                openssl(certs, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other CA",
                        "-keyout", "other.key", "-out", wrongCa.getFileName().toString());
                MigrationRecord untrusted = service.start(spec("tls-untrusted", source, "localhost", target, db,
                        MigrationSettings.builder().option("ssl.rootCert", wrongCa.toString()).build()))
                        .await(Duration.ofMinutes(2));
                assertThat(untrusted.status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(untrusted.errors().get(0).text()).contains("source").contains("PKIX path building failed")
                        .contains("ssl.rootCert");

                MigrationRecord noRoot = service.start(spec("tls-no-root", source, "localhost", target, db,
                        MigrationSettings.builder().option("ssl.rootCert", certs.resolve("missing.crt").toString())
                                .build())).await(Duration.ofMinutes(2));
                assertThat(noRoot.status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(noRoot.errors().get(0).text()).contains("source").contains("missing.crt");
                assertThat(PluginJarTest.databases(target)).isEqualTo(before);
            }
        } finally {
            run(certs, "rm", "-rf", certs.toString());
        }
    }

    private static MigrationSpec spec(String name, PostgresServer source, String host, PostgresServer target,
            String db, MigrationSettings settings) {
        ServerSpec tls = ServerSpec.builder().host(host).port(source.port()).adminLogin(source.adminLogin())
                .password(source.adminPassword()).sslMode(SslMode.VERIFY_FULL).build();
        return MigrationSpec.builder().name(name).source(tls).target(target.serverSpec()).databases(db)
                .option(MigrationOption.MIGRATE).settings(settings).build();
    }

    /** Runs a migration in a child JVM; returns everything it printed, library logs included. */
    private String runChild(Path state, String name, String db, PostgresServer source, String login, String password,
            PostgresServer target) throws Exception {
        Path sourcePw = Files.writeString(dir.resolve(name + "-s.pw"), password);
        Path targetPw = Files.writeString(dir.resolve(name + "-t.pw"), target.adminPassword().reveal());
        for (Path pw : List.of(sourcePw, targetPw)) {
            Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        }
        Path out = dir.resolve(name + ".out");
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug", "-cp", System.getProperty("java.class.path"),
                PhaseChild.class.getName(), state.toString(), name, db,
                source.host() + ":" + source.port() + ":" + login + ":" + sourcePw,
                target.host() + ":" + target.port() + ":" + target.adminLogin() + ":" + targetPw, "none"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(child.waitFor(3, TimeUnit.MINUTES)).isTrue();
        } finally {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static void openssl(Path dir, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        run(dir, command);
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }
}
