package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.report.MigrationReport;
import dev.pgmigrate.embedded.PostgresServer;
import dev.pgmigrate.embedded.TestDatabases;
import dev.pgmigrate.testkit.Pg;
import dev.pgmigrate.testkit.PostgresTest;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a real migration, writes its HTML report, and opens it in headless Chromium, as a reader would: the DOM the
 * browser builds must show the migration, hostile table names as text, and no script may run. The screenshot is
 * kept in {@code target/browser-report/} for a person to look at.
 */
@PostgresTest
class ReportBrowserTest {
    private static final Duration BROWSER_TIMEOUT = Duration.ofSeconds(90);
    private static final String SCRIPT_TABLE = "<script>alert(1)</script>";
    private static final String IMG_TABLE = "<img src=x onerror=document.title='pwned'>";
    private static final String QUOTED_TABLE = "Grüße \"quoted\" & 'single' 表";

    @TempDir
    Path dir;

    @Test
    void htmlReportOfARealMigrationShowsItInABrowserAndRunsNoScript(@Pg("15") PostgresServer source,
            @Pg("17") PostgresServer target) throws Exception {
        String db = source.createDatabase(TestDatabases.unique("report"));
        source.execute(db,
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer text, amount numeric(10,2))",
                "INSERT INTO orders SELECT g, 'customer ' || (g % 97), g / 7.0 FROM generate_series(1, 5000) g",
                "CREATE TABLE \"" + SCRIPT_TABLE + "\" (id int PRIMARY KEY, note text)",
                "INSERT INTO \"" + SCRIPT_TABLE + "\" SELECT g, md5(g::text) FROM generate_series(1, 123) g",
                "CREATE TABLE \"" + IMG_TABLE + "\" (id int)",
                "INSERT INTO \"" + IMG_TABLE + "\" SELECT generate_series(1, 7)",
                "CREATE TABLE \"" + QUOTED_TABLE.replace("\"", "\"\"") + "\" (id int)",
                "INSERT INTO \"" + QUOTED_TABLE.replace("\"", "\"\"") + "\" SELECT generate_series(1, 42)");
        MigrationReport report;
        try (MigrationService service = MigrationService.builder().build()) {
            MigrationSpec spec = MigrationSpec.builder().name("report-" + Math.abs(db.hashCode() % 10_000))
                    .source(source.serverSpec()).target(target.serverSpec()).databases(db)
                    .settings(MigrationSettings.builder().parallelism(2).build()).build();
            MigrationRecord done = service.start(spec).await();
            assertThat(done.status()).as("%s", done.errors()).isEqualTo(MigrationStatus.SUCCEEDED);
            report = service.report(spec.name()).orElseThrow();
        }
        Path html = dir.resolve("report.html");
        report.writeHtml(html);
        String page = Files.readString(html);
        assertThat(page).doesNotContain(source.adminPassword().reveal(), target.adminPassword().reveal());

        JsonNode json = new ObjectMapper().readTree(report.json());
        assertThat(json.at("/summary/rows").asLong()).isEqualTo(5000 + 123 + 7 + 42);
        assertThat(json.at("/summary/tables").asInt()).isEqualTo(4);
        assertThat(json.at("/summary/verification/matches").asBoolean()).isTrue();
        assertThat(json.at("/timeline").findValuesAsText("phase")).containsExactly("PerformingPrerequisiteSteps",
                "ValidationInProgress", "MigratingData", "CompletingMigration");
        assertThat(json.at("/timeline").findValues("recorded")).allMatch(JsonNode::asBoolean);

        Path chromium = chromium();
        String dom = runChromium(chromium, "--dump-dom", html.toUri().toString());

        assertThat(dom).contains("<title>Migration " + report.record().name() + ": Succeeded</title>")
                .doesNotContain("pwned</title>");
        assertThat(dom).contains("id=\"status\"").containsPattern("id=\"status\"[^>]*>Succeeded<");
        assertThat(dom).contains("orders", "5,000", "123", db, "Identical",
                "The target matches the source", "ValidationInProgress", "MigratingData", "binary-copy");
        // The DOM serializer escapes text, so a hostile name shows escaped; as markup it would be an element.
        assertThat(dom).contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("&lt;img src=x onerror=document.title='pwned'&gt;")
                .contains("Grüße \"quoted\" &amp; 'single' 表")
                .doesNotContainIgnoringCase("<script")
                .doesNotContainIgnoringCase("<img");

        Path png = dir.resolve("report.png");
        runChromium(chromium, "--screenshot=" + png, "--window-size=1280,2000", html.toUri().toString());
        assertThat(png).exists();
        assertThat(Files.size(png)).isGreaterThan(20_000);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1280);
        assertThat(image.getHeight()).isEqualTo(2000);
        assertThat(distinctColors(image)).as("colours in the screenshot").isGreaterThan(50);

        Path kept = Path.of("target", "browser-report");
        Files.createDirectories(kept);
        Files.copy(html, kept.resolve("report.html"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(png, kept.resolve("report.png"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(kept.resolve("report.json"), report.json());
    }

    // ---- Chromium

    /** Debian's Chromium, which .ci/run installs; the test is skipped only where none is installed outside CI. */
    private static Path chromium() {
        Optional<Path> found = findChromium();
        if (found.isEmpty() && "true".equals(System.getenv("CI"))) {
            fail("No chromium on this CI machine; .ci/run installs Debian's package 'chromium'.");
        }
        assumeTrue(found.isPresent(), "No chromium installed: apt-get install --no-install-recommends chromium");
        return found.get();
    }

    private static Optional<Path> findChromium() {
        List<Path> candidates = new ArrayList<>();
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                candidates.add(Path.of(entry, name));
            }
        }
        candidates.add(Path.of("/usr/bin/chromium"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** Runs headless Chromium on a fresh profile, returning its standard output; never leaves it running. */
    private String runChromium(Path chromium, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Path out = dir.resolve("chromium-" + System.nanoTime() + ".out");
        Path err = dir.resolve("chromium-" + System.nanoTime() + ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            if (!process.waitFor(BROWSER_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                fail("Chromium did not finish within " + BROWSER_TIMEOUT.toSeconds() + " s: " + String.join(" ",
                        command) + "\n" + Files.readString(err));
            }
            assertThat(process.exitValue()).as("chromium exit code; stderr:%n%s", Files.readString(err)).isZero();
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int distinctColors(BufferedImage image) {
        Set<Integer> colors = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colors.add(image.getRGB(x, y));
            }
        }
        return colors.size();
    }
}
