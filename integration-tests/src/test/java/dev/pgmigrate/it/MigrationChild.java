package dev.pgmigrate.it;

import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.SecretReferences;
import java.nio.file.Path;
import java.util.Map;

/**
 * A migration in a process of its own, for tests that kill it: prints {@code COPYING} once a table starts to
 * copy, then runs to the end. Arguments: state dir, name, database (several separated by commas), source
 * host:port:login:passwordFile, target host:port:login:passwordFile, and optionally {@code verify}.
 */
public final class MigrationChild {
    private MigrationChild() {
    }

    public static void main(String[] args) throws Exception {
        Path stateDir = Path.of(args[0]);
        String name = args[1];
        String database = args[2];
        ServerSpec source = server(args[3]);
        ServerSpec target = server(args[4]);
        MigrationSpec spec = MigrationSpec.builder().name(name).source(source).target(target)
                .databases(database.split(","))
                .settings(MigrationSettings.builder().parallelism(1).verify(args.length > 5 && args[5].equals("verify"))
                        .build()).build();
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(stateDir))
                .listener(event -> {
                    if (event instanceof MigrationEvent.TableStarted) {
                        System.out.println("COPYING");
                        System.out.flush();
                    }
                }).build()) {
            service.start(spec, Map.of("sourceServer", "file:" + args[3].split(":", 4)[3],
                    "targetServer", "file:" + args[4].split(":", 4)[3])).await();
        }
    }

    /**
     * The {@code host:port:login:passwordFile} argument for {@code server}, writing its admin password to a
     * private file in {@code dir}.
     */
    static String endpoint(dev.pgmigrate.embedded.PostgresServer server, Path dir, String name) throws Exception {
        Path file = dir.resolve(name + ".pw");
        if (!java.nio.file.Files.exists(file)) {
            java.nio.file.Files.writeString(file, server.adminPassword().reveal());
            java.nio.file.Files.setPosixFilePermissions(file,
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        return server.host() + ":" + server.port() + ":" + server.adminLogin() + ":" + file;
    }

    static ServerSpec server(String arg) {
        String[] parts = arg.split(":", 4);
        return ServerSpec.builder().host(parts[0]).port(Integer.parseInt(parts[1])).adminLogin(parts[2])
                .password(SecretReferences.resolve("file:" + parts[3])).sslMode(SslMode.DISABLE).build();
    }

}
