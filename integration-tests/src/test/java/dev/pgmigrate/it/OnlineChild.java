package dev.pgmigrate.it;

import dev.pgmigrate.api.MigrationEvent;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.MigrationStatus;
import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import java.nio.file.Path;
import java.util.Map;

/**
 * An online migration in a process of its own, for tests that kill it: prints {@code COPYING} once a table starts
 * to copy and {@code FOLLOWING} once every database follows the source (status {@code WaitingForUserAction}),
 * then waits for a cutover that a test triggers through the store, or for its end. Arguments as
 * {@link MigrationChild}'s: state dir, name, database, source and target host:port:login:passwordFile; the source
 * login must be allowed to replicate.
 */
public final class OnlineChild {
    private OnlineChild() {
    }

    public static void main(String[] args) throws Exception {
        MigrationSpec spec = MigrationSpec.builder().name(args[1]).source(MigrationChild.server(args[3]))
                .target(MigrationChild.server(args[4])).databases(args[2]).mode(MigrationMode.ONLINE)
                .settings(MigrationSettings.builder().parallelism(1).option("online.replicaIdentityFull", "true")
                        .build()).build();
        try (MigrationService service = MigrationService.builder().store(new FileMigrationStore(Path.of(args[0])))
                .listener(event -> {
                    if (event instanceof MigrationEvent.TableStarted) {
                        say("COPYING");
                    } else if (event instanceof MigrationEvent.PhaseChanged p
                            && p.status() == MigrationStatus.WAITING_FOR_USER_ACTION) {
                        say("FOLLOWING");
                    }
                }).build()) {
            service.start(spec, Map.of("sourceServer", "file:" + args[3].split(":", 4)[3],
                    "targetServer", "file:" + args[4].split(":", 4)[3])).await();
        }
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
