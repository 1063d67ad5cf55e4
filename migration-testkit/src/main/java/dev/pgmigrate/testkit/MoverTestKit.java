package dev.pgmigrate.testkit;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Runs one data mover, found by id through {@link java.util.ServiceLoader}, through the real engine: a whole
 * database is migrated with that mover alone and verified, so the mover must handle every table it claims.
 *
 * <pre>{@code
 * MoverTestKit.mover("binary-copy").source(source).target(target).database("shop")
 *         .run()
 *         .assertThatMigration().succeeded().isVerified().copiedWith("binary-copy", "public.orders");
 * }</pre>
 *
 * @since 0.1
 */
@Experimental
public final class MoverTestKit {
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final List<DataMover> movers;
    private ServerSpec source;
    private ServerSpec target;
    private final List<String> databases = new ArrayList<>();
    private UnaryOperator<MigrationSettings.Builder> settings = UnaryOperator.identity();

    private MoverTestKit(List<DataMover> movers) {
        this.movers = movers;
    }

    /**
     * The mover with {@code id} on the class path, alone.
     *
     * @throws AssertionError listing the ids found when there is none with that id
     */
    public static MoverTestKit mover(String id) {
        return movers(id);
    }

    /** Several movers by id, chosen per table by the engine as in a real migration. */
    public static MoverTestKit movers(String... ids) {
        Plugins plugins = Plugins.discover(Thread.currentThread().getContextClassLoader());
        List<DataMover> chosen = new ArrayList<>();
        for (String id : ids) {
            chosen.add(plugins.movers().stream().filter(m -> m.id().equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("No data mover with id '" + id + "' is registered in "
                            + "META-INF/services/dev.pgmigrate.api.spi.DataMover on the class path; found "
                            + plugins.moverIds())));
        }
        return new MoverTestKit(chosen);
    }

    public MoverTestKit source(PostgresServer server) {
        return source(server.serverSpec());
    }

    public MoverTestKit source(ServerSpec spec) {
        this.source = requireNonNull(spec, "spec must not be null");
        return this;
    }

    public MoverTestKit target(PostgresServer server) {
        return target(server.serverSpec());
    }

    public MoverTestKit target(ServerSpec spec) {
        this.target = requireNonNull(spec, "spec must not be null");
        return this;
    }

    /** The databases to migrate. */
    public MoverTestKit database(String... names) {
        databases.addAll(List.of(names));
        return this;
    }

    /** Adjusts the settings, such as {@code s -> s.splitTablesLargerThanBytes(1 << 20)}. */
    public MoverTestKit settings(UnaryOperator<MigrationSettings.Builder> change) {
        this.settings = requireNonNull(change, "change must not be null");
        return this;
    }

    /** Migrates the databases without validation, verifying the copy, and returns the final record. */
    public MigrationOutcome run() {
        if (source == null || target == null || databases.isEmpty()) {
            throw new IllegalStateException("set source(...), target(...) and database(...) before run()");
        }
        MigrationSpec spec = MigrationSpec.builder()
                .name("move-" + movers.get(0).id() + "-" + RUNS.incrementAndGet())
                .source(source).target(target).databases(databases)
                .option(MigrationOption.MIGRATE)
                .settings(settings.apply(MigrationSettings.builder().parallelism(2).verify(true)).build())
                .build();
        try (MigrationService service = MigrationService.builder().plugins(Plugins.of(List.of(), movers)).build()) {
            MigrationRecord record = service.start(spec).await();
            return new MigrationOutcome(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while migrating", e);
        }
    }
}
