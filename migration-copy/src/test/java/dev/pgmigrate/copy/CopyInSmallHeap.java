package dev.pgmigrate.copy;

import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.MoveResult;
import java.util.ServiceLoader;

/**
 * Runs one mover, found by id through {@link ServiceLoader} as the engine finds it, in a JVM of its own with a
 * small heap. Arguments: source host:port, target host:port, database, table, mover id. Prints the rows moved.
 */
final class CopyInSmallHeap {
    private CopyInSmallHeap() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("pgmigrate.test.source", args[0]);
        System.setProperty("pgmigrate.test.target", args[1]);
        DataMover mover = ServiceLoader.load(DataMover.class).stream().map(ServiceLoader.Provider::get)
                .filter(m -> m.id().equals(args[4])).findFirst().orElseThrow();
        try (var context = TestCopyContext.open(TestServer.source(), TestServer.target(), args[2])) {
            MoveResult result = mover.move(Tables.task(TestServer.source(), args[2], args[3]), context);
            context.commit();
            Runtime rt = Runtime.getRuntime();
            System.out.println("rows=" + result.rows() + " bytes=" + result.bytes() + " maxHeap=" + rt.maxMemory());
        }
    }
}
