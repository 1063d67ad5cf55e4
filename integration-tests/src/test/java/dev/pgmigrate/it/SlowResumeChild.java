package dev.pgmigrate.it;

import dev.pgmigrate.core.FileMigrationStore;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import java.nio.file.Path;

/**
 * Resumes a stored migration in a process of its own, for a test that kills it. Args: state dir,
 * name, and optionally a delay in ms each copy takes (as over a slow network).
 */
public final class SlowResumeChild {
    private SlowResumeChild() {
    }

    public static void main(String[] args) throws Exception {
        long delay = args.length > 2 ? Long.parseLong(args[2]) : 0;
        Plugins plugins = delay == 0 ? Plugins.discover() : Plugins.discover().withMover(TestMovers.textMoverAround(
                "slow-network", task -> true, (task, context) -> {
                    try {
                        Thread.sleep(delay);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, (task, context) -> { }));
        try (MigrationService service = MigrationService.builder().plugins(plugins)
                .store(new FileMigrationStore(Path.of(args[0]))).build()) {
            System.out.println("RESUMING");
            System.out.flush();
            service.resume(args[1]).await();
        }
    }
}
