package dev.pgmigrate.copy;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.spi.CopyColumn;
import dev.pgmigrate.api.spi.CopyTask;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Runs one mover, found by id through {@link ServiceLoader} as the engine finds it, in a JVM of its own with a
 * small heap, on table {@code public.big (id bigint, filler text)}. Arguments: mover id. Environment: JDBC URLs
 * and passwords of both servers ({@code SOURCE_URL}, {@code SOURCE_PASSWORD}, {@code TARGET_URL},
 * {@code TARGET_PASSWORD}), login {@code postgres}. Prints the rows moved.
 */
final class CopyInSmallHeap {
    private CopyInSmallHeap() {
    }

    public static void main(String[] args) throws Exception {
        DataMover mover = ServiceLoader.load(DataMover.class).stream().map(ServiceLoader.Provider::get)
                .filter(m -> m.id().equals(args[0])).findFirst().orElseThrow();
        Connection source = DriverManager.getConnection(System.getenv("SOURCE_URL"), "postgres",
                System.getenv("SOURCE_PASSWORD"));
        Connection target = DriverManager.getConnection(System.getenv("TARGET_URL"), "postgres",
                System.getenv("TARGET_PASSWORD"));
        CopyTask task = new CopyTask("heap", "public", "big",
                List.of(new CopyColumn("id", "bigint", true), new CopyColumn("filler", "text", true)),
                Optional.empty(), 1, 1, 0, false);
        try (var context = TestCopyContext.open(source, target, MigrationSettings.defaults())) {
            MoveResult result = mover.move(task, context);
            context.commit();
            System.out.println("rows=" + result.rows() + " bytes=" + result.bytes() + " maxHeap="
                    + Runtime.getRuntime().maxMemory());
        }
    }
}
