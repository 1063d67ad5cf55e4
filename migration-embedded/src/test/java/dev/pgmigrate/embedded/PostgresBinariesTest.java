package dev.pgmigrate.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.pgmigrate.embedded.internal.FileTrees;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresBinariesTest {

    @Test
    void mapsMajorsToThePinnedVersions() {
        assertThat(PostgresBinaries.fullVersion("9.6")).isEqualTo("9.6.24");
        assertThat(PostgresBinaries.fullVersion("17")).isEqualTo("17.6.0");
        assertThat(PostgresBinaries.fullVersion("12.22.0")).isEqualTo("12.22.0");
        assertThat(PostgresBinaries.pinnedMajors()).containsExactly("9.6", "10", "11", "13", "14", "15", "16", "17", "18");
        assertThat(PostgresBinaries.majorLabel("9.6.24")).isEqualTo("9.6");
        assertThatThrownBy(() -> PostgresBinaries.fullVersion("12"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("17.6.0");
    }

    @Test
    void threadsExtractingTheSameVersionAtOnceGetOneCompleteTree(@TempDir Path cache) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<PostgresBinaries>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> PostgresBinaries.of("14", cache)));
            }
            Set<Path> homes = new java.util.HashSet<>();
            for (Future<PostgresBinaries> f : results) {
                homes.add(f.get(2, TimeUnit.MINUTES).home());
            }
            assertThat(homes).containsExactly(cache.toAbsolutePath().resolve("14.15.0"));
            assertCompleteAndAlone(cache, "14.15.0");
        } finally {
            pool.shutdownNow();
            FileTrees.delete(cache);
        }
    }

    @Test
    void twoJvmsExtractingTheSameVersionAtOnceGetOneCompleteTree(@TempDir Path cache) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            children.add(new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    ExtractInAnotherJvm.class.getName(), "11", cache.toString())
                    .redirectErrorStream(true).start());
        }
        try {
            for (Process child : children) {
                String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
                assertThat(child.exitValue()).as(out).isZero();
                assertThat(out).contains("HOME=" + cache.toAbsolutePath().resolve("11.22.0"));
            }
            assertCompleteAndAlone(cache, "11.22.0");
        } finally {
            children.forEach(Process::destroyForcibly);
            FileTrees.delete(cache);
        }
    }

    @Test
    void downloadsAMissingArtifactAndChecksItsSha1(@TempDir Path dir) throws Exception {
        Path jar = ArtifactLocator.localRepository().resolve(PostgresBinaries.GROUP_PATH).resolve("11.22.0")
                .resolve(PostgresBinaries.ARTIFACT + "-11.22.0.jar");
        assumeTrue(Files.isRegularFile(jar), "the 11.22.0 artifact is in the local repository");
        byte[] bytes = Files.readAllBytes(jar);
        String sha1 = Files.readString(jar.resolveSibling(jar.getFileName() + ".sha1")).trim();
        String[] served = {sha1};
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = path.endsWith(".sha1") ? served[0].getBytes(StandardCharsets.US_ASCII)
                    : path.endsWith(".jar") ? bytes : null;
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        http.start();
        String oldRepo = System.getProperty("maven.repo.local");
        try {
            System.setProperty(PostgresBinaries.REPOSITORY_URL_PROPERTY,
                    "http://127.0.0.1:" + http.getAddress().getPort() + "/maven2");
            System.setProperty("maven.repo.local", dir.resolve("repo").toString());

            served[0] = "0000000000000000000000000000000000000000";
            assertThatThrownBy(() -> PostgresBinaries.of("11.22.0", dir.resolve("cache-bad")))
                    .isInstanceOf(UncheckedIOException.class).hasMessageContaining("checksum mismatch");

            served[0] = sha1;
            PostgresBinaries binaries = PostgresBinaries.of("11.22.0", dir.resolve("cache"));
            assertThat(binaries.program("postgres")).isExecutable();
            assertThat(dir.resolve("repo").resolve(PostgresBinaries.GROUP_PATH).resolve("11.22.0")
                    .resolve(jar.getFileName())).hasSameBinaryContentAs(jar);
        } finally {
            http.stop(0);
            System.clearProperty(PostgresBinaries.REPOSITORY_URL_PROPERTY);
            if (oldRepo == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", oldRepo);
            }
            FileTrees.delete(dir);
        }
    }

    @Test
    void systemInstallationStartsAServer() {
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/postgres")), "PostgreSQL 15 is installed");
        PostgresBinaries system = PostgresBinaries.system(15);
        assertThat(system.majorLabel()).isEqualTo("15");

        try (PostgresServer server = PostgresServer.builder().binaries(system).start()) {
            assertThat(server.versionNum()).isBetween(150000, 159999);
            assertThat(server.binDirectory()).isEqualTo(Path.of("/usr/lib/postgresql/15/bin"));
        }
    }

    private static void assertCompleteAndAlone(Path cache, String version) throws Exception {
        Path home = cache.resolve(version);
        assertThat(home.resolve("bin/postgres")).isExecutable();
        assertThat(home.resolve("share/postgresql/postgres.bki")).isRegularFile();
        try (var entries = Files.list(cache)) {
            assertThat(entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder(version, version + ".lock");
        }
    }

}
