package dev.pgmigrate.embedded;

import dev.pgmigrate.api.Secret;
import dev.pgmigrate.embedded.internal.Archives;
import dev.pgmigrate.embedded.internal.FileTrees;
import dev.pgmigrate.embedded.internal.OsUser;
import dev.pgmigrate.embedded.internal.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data directory fresh from {@code initdb} for one installation and server user, made once and shared by every
 * server and JVM (copying it is much faster than {@code initdb}), with the superuser password it was made with.
 * It lives beside the extracted binaries, not under {@link PostgresServer#tempBase()}: nothing there reaps it,
 * and it outlives the servers.
 */
final class InitdbTemplate {
    private static final Logger log = LoggerFactory.getLogger(InitdbTemplate.class);
    private static final String TEMPLATES = "templates";
    private static final String PASSWORD_FILE = "superuser.password";

    private final Path directory;

    private InitdbTemplate(Path directory) {
        this.directory = directory;
    }

    /** The template of {@code binaries}, made unless it exists, and made again if an earlier attempt left it half. */
    static InitdbTemplate of(PostgresBinaries binaries) {
        String key = binaries.version() + "-" + Integer.toHexString(binaries.binDirectory().toString().hashCode())
                + "-" + OsUser.serverUser().orElse("self");
        Path target = PostgresBinaries.defaultCache().resolve(TEMPLATES).resolve(key);
        Path template = build(binaries, target);
        if (!Files.isRegularFile(template.resolve(PASSWORD_FILE))
                || !Files.isRegularFile(template.resolve("data").resolve("PG_VERSION"))) {
            log.warn("The initdb template {} is incomplete; making it again", template);
            try {
                FileTrees.delete(template);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete the incomplete template " + template, e);
            }
            template = build(binaries, target);
        }
        return new InitdbTemplate(template);
    }

    /** The data directory to copy, owned by the server user with mode 700. */
    Path data() {
        return directory.resolve("data");
    }

    /** The password {@value PostgresServer#SUPERUSER} has in a copy of {@link #data()}. */
    Secret superuserPassword() throws IOException {
        return Secret.of(Files.readString(directory.resolve(PASSWORD_FILE)).trim());
    }

    private static Path build(PostgresBinaries binaries, Path target) {
        return Archives.buildOnce(target, temp -> {
            long start = System.nanoTime();
            Path data = temp.resolve("data");
            Files.createDirectory(data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            Path pwfile = temp.resolve("pwfile");
            Path password = temp.resolve(PASSWORD_FILE);
            String secret = PostgresServer.randomPassword();
            Files.writeString(password, secret);
            Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(pwfile, secret + "\n");
            Optional<String> user = OsUser.serverUser();
            if (user.isPresent()) {
                FileTrees.chown(data, user.get());
                FileTrees.chown(pwfile, user.get());
            }
            List<String> initdb = new ArrayList<>(List.of(binaries.program("initdb").toString(),
                    "-D", data.toString(), "-U", PostgresServer.SUPERUSER, "--pwfile=" + pwfile, "-E", "UTF8",
                    "--auth-local=trust", "--auth-host=" + (binaries.usesScram() ? "scram-sha-256" : "md5"), "-N"));
            try {
                List<String> withLocale = new ArrayList<>(initdb);
                withLocale.add("--locale=C.UTF-8");
                Processes.run(OsUser.asServerUser(withLocale), Optional.of(temp));
            } catch (IllegalStateException e) {
                // Old servers may not know C.UTF-8; C is always there.
                log.debug("initdb with C.UTF-8 failed for {}; retrying with locale C", binaries, e);
                FileTrees.delete(data);
                Files.createDirectory(data);
                Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
                if (user.isPresent()) {
                    FileTrees.chown(data, user.get());
                }
                initdb.add("--locale=C");
                Processes.run(OsUser.asServerUser(initdb), Optional.of(temp));
            }
            Files.delete(pwfile);
            log.debug("Made the initdb template of {} in {} ms", binaries, (System.nanoTime() - start) / 1_000_000);
        });
    }
}
