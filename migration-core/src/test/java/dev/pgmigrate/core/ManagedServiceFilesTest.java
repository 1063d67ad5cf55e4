package dev.pgmigrate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.SslMode;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every documented shape of the managed service's properties file ({@code src/test/resources/managed-service}, one
 * file per example of its documents) is read as it is, with the target named on the command line as the
 * service's CLI names it.
 */
class ManagedServiceFilesTest {
    private static final String TARGET = "flex.example.com";

    /** What one documented file must give. */
    record Shape(String file, String sourceHost, int sourcePort, String sourceLogin, SourceServerType type,
            SslMode sslMode, String targetLogin, List<String> databases, boolean overwrite) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Shape> documentedShapes() {
        return Stream.of(
                new Shape("tutorial-offline-vm.json", "10.0.0.4", 5432, "postgres", SourceServerType.AZURE_VM,
                        SslMode.PREFER, "azureadmin", List.of("ticketdb", "timedb", "salesdb"), true),
                new Shape("tutorial-offline-aws.json", "shop.abc123.us-east-1.rds.amazonaws.com", 5432, "postgres",
                        SourceServerType.AWS, SslMode.REQUIRE, "azureadmin",
                        List.of("ticketdb", "timedb", "inventorydb"), true),
                new Shape("cli-other-source-types.json", "10.0.0.4", 5432, "postgres", SourceServerType.ON_PREMISES,
                        SslMode.PREFER, "fspguser", List.of("ticketdb", "timedb", "inventorydb"), true),
                new Shape("cli-single-server.json", "pg-single-1.postgres.database.azure.com", 5432,
                        "testuser@pg-single-1", SourceServerType.POSTGRESQL_SINGLE_SERVER, SslMode.PREFER, "fspguser",
                        List.of("postgres"), true),
                new Shape("cli-runtime-server.json", "pg-single-1.postgres.database.azure.com", 5432,
                        "testuser@pg-single-1", SourceServerType.POSTGRESQL_SINGLE_SERVER, SslMode.PREFER, "fspguser",
                        List.of("postgres"), true));
    }

    private static Path file(String name) throws URISyntaxException {
        return Path.of(ManagedServiceFilesTest.class.getResource("/managed-service/" + name).toURI());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documentedShapes")
    void readsEachDocumentedFileAsItIs(Shape shape) throws Exception {
        MigrationProperties p = MigrationProperties.read(file(shape.file()), TARGET);

        assertThat(p.source().host()).isEqualTo(shape.sourceHost());
        assertThat(p.source().port()).isEqualTo(shape.sourcePort());
        assertThat(p.source().adminLogin()).isEqualTo(shape.sourceLogin());
        assertThat(p.source().type()).isEqualTo(shape.type());
        assertThat(p.source().sslMode()).isEqualTo(shape.sslMode());
        assertThat(p.source().password()).isPresent();
        assertThat(p.target().address()).isEqualTo(TARGET + ":5432");
        assertThat(p.target().adminLogin()).isEqualTo(shape.targetLogin());
        assertThat(p.target().password()).isPresent();
        assertThat(p.databases()).isEqualTo(shape.databases());
        assertThat(p.settings().overwriteDbsInTarget()).isEqualTo(shape.overwrite());
        assertThat(p.notes()).anySatisfy(n -> assertThat(n).contains("from --target-server"));
        MigrationSpec spec = p.toSpec("shop-move");
        assertThat(spec.mode()).isEqualTo(MigrationMode.OFFLINE);
        // Without the command line's target these files name none: the error says where to give it.
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> MigrationProperties.read(file(shape.file())));
        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("properties.targetServer");
            assertThat(problem.rule()).contains("targetDbServerFullyQualifiedDomainName", "--target-server");
        });
    }

    @Test
    void theRuntimeServerOfAPrivateEndpointMigrationIsNotedAsIgnored() throws Exception {
        MigrationProperties p = MigrationProperties.read(file("cli-runtime-server.json"), TARGET);

        assertThat(p.notes()).anySatisfy(n -> assertThat(n).startsWith("properties.migrationRuntimeResourceId is "
                + "ignored"));
        assertThat(p.notes()).anySatisfy(n -> assertThat(n).contains("pg-single-1.postgres.database.azure.com:5432",
                "PostgreSQLSingleServer", "properties.sourceDbServerResourceId"));
    }

    @Test
    void readsTheIssuesFileAsItIsWithTheTargetFromItsFullyQualifiedDomainName() throws Exception {
        MigrationProperties p = MigrationProperties.read(file("issue-as-is.json"));

        assertThat(p.source().address()).isEqualTo("10.0.0.4:5432");
        assertThat(p.source().adminLogin()).isEqualTo("postgres");
        assertThat(p.source().password()).contains(Secret.of("source-password"));
        assertThat(p.source().type()).isEqualTo(SourceServerType.ON_PREMISES);
        assertThat(p.source().sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(p.target().address()).isEqualTo("pg.example.com:5432");
        assertThat(p.target().connectHost()).isEqualTo("pg.example.com");
        assertThat(p.target().adminLogin()).isEqualTo("azureadmin");
        assertThat(p.target().password()).contains(Secret.of("target-password"));
        assertThat(p.databases()).containsExactly("inventory", "orders");
        assertThat(p.settings().overwriteDbsInTarget()).isTrue();
        assertThat(p.notes()).containsExactly("Target server pg.example.com:5432, from "
                + "properties.targetDbServerFullyQualifiedDomainName (port 5432, the default; --target-server "
                + "HOST:PORT gives another).");
    }

    @Test
    void theCommandLinesTargetMustNameTheSameServerAsTheFile() throws Exception {
        MigrationProperties same = MigrationProperties.read(file("issue-as-is.json"), "PG.example.com:6432");
        assertThat(same.target().address()).isEqualTo("pg.example.com:6432");
        assertThat(same.notes()).containsExactly("Target server pg.example.com:6432, named by "
                + "properties.targetDbServerFullyQualifiedDomainName and --target-server alike.");

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> MigrationProperties.read(file("issue-as-is.json"), "other.example.com"));
        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("--target-server");
            assertThat(problem.value()).isEqualTo("other.example.com");
            assertThat(problem.rule()).contains("properties.targetDbServerFullyQualifiedDomainName",
                    "pg.example.com:5432");
        });
        assertThat(e.getMessage()).doesNotContain("target-password");
    }

    @Test
    void readsAFileSavedOnWindowsWithAByteOrderMarkAsTheServicesCliDoes(@TempDir Path dir) throws Exception {
        // Notepad and PowerShell 5 save UTF-8 with a byte order mark, or UTF-16 with one; the service's CLI reads
        // both, and a password file saved so holds the password after the mark.
        String text = Files.readString(file("tutorial-offline-vm.json")).replace("\n", "\r\n");
        Files.write(dir.resolve("target-password.txt"), "\uFEFFs3cr#t\r\n".getBytes(StandardCharsets.UTF_8));
        String withPasswordFile = text.replace("\"TargetServerPassword\": \"target-password\"",
                "\"TargetServerPassword\": {\"file\": \"target-password.txt\"}");
        List<byte[]> files = List.of(("\uFEFF" + text).getBytes(StandardCharsets.UTF_8),
                text.getBytes(StandardCharsets.UTF_16), ("\uFEFF" + text).getBytes(StandardCharsets.UTF_16LE),
                ("\uFEFF" + withPasswordFile).getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < files.size(); i++) {
            Path saved = Files.write(dir.resolve("migration_body_" + i + ".json"), files.get(i));
            MigrationProperties p = MigrationProperties.read(saved, TARGET);
            assertThat(p.source().address()).as("file %d", i).isEqualTo("10.0.0.4:5432");
            assertThat(p.databases()).as("file %d", i).containsExactly("ticketdb", "timedb", "salesdb");
            assertThat(p.target().password()).as("file %d", i)
                    .contains(Secret.of(i == 3 ? "s3cr#t" : "target-password"));
        }
    }
}
