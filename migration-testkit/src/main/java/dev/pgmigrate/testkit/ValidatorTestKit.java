package dev.pgmigrate.testkit;

import static java.util.Objects.requireNonNull;

import dev.pgmigrate.api.Experimental;
import dev.pgmigrate.api.MigrationMode;
import dev.pgmigrate.api.MigrationOption;
import dev.pgmigrate.api.MigrationRecord;
import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.MigrationSpec;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.spi.Validator;
import dev.pgmigrate.core.MigrationService;
import dev.pgmigrate.core.Plugins;
import dev.pgmigrate.embedded.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Runs one validator, found by id through {@link java.util.ServiceLoader}, through the real engine against real
 * servers, so that a missing or wrong {@code META-INF/services} entry fails the test.
 *
 * <pre>{@code
 * ValidatorTestKit.validator("unlogged-tables")
 *         .source(source).target(target).database("shop")
 *         .run()
 *         .assertThatResults()
 *         .hasStatus(ValidationStatus.WARNING)
 *         .mentions("audit");
 * }</pre>
 *
 * @since 0.1
 */
@Experimental
public final class ValidatorTestKit {
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Validator validator;
    private ServerSpec source;
    private ServerSpec target;
    private final List<String> databases = new ArrayList<>();
    private UnaryOperator<MigrationSettings.Builder> settings = UnaryOperator.identity();
    private MigrationMode mode = MigrationMode.OFFLINE;

    private ValidatorTestKit(Validator validator) {
        this.validator = validator;
    }

    /**
     * The validator with {@code id} on the class path.
     *
     * @throws AssertionError listing the ids found when there is none with that id
     */
    public static ValidatorTestKit validator(String id) {
        requireNonNull(id, "id must not be null");
        Plugins plugins = Plugins.discover(Thread.currentThread().getContextClassLoader());
        return plugins.validators().stream().filter(v -> v.id().equals(id)).findFirst()
                .map(ValidatorTestKit::new)
                .orElseThrow(() -> new AssertionError("No validator with id '" + id + "' is registered in "
                        + "META-INF/services/dev.pgmigrate.api.spi.Validator on the class path; found "
                        + plugins.validatorIds()));
    }

    /** The source server, connected to as its admin. */
    public ValidatorTestKit source(PostgresServer server) {
        return source(server.serverSpec());
    }

    public ValidatorTestKit source(ServerSpec spec) {
        this.source = requireNonNull(spec, "spec must not be null");
        return this;
    }

    /** The target server, connected to as its admin. */
    public ValidatorTestKit target(PostgresServer server) {
        return target(server.serverSpec());
    }

    public ValidatorTestKit target(ServerSpec spec) {
        this.target = requireNonNull(spec, "spec must not be null");
        return this;
    }

    /** The databases the migration would move; {@code postgres} when none is given. */
    public ValidatorTestKit database(String... names) {
        databases.addAll(List.of(names));
        return this;
    }

    /** Adjusts the migration's settings, such as {@code s -> s.overwriteDbsInTarget(true)}. */
    public ValidatorTestKit settings(UnaryOperator<MigrationSettings.Builder> change) {
        this.settings = requireNonNull(change, "change must not be null");
        return this;
    }

    /**
     * The migration's mode, {@link MigrationMode#OFFLINE} unless set: checks of an Online migration's
     * prerequisites answer only for {@link MigrationMode#ONLINE}.
     *
     * @since 0.3
     */
    public ValidatorTestKit mode(MigrationMode mode) {
        this.mode = requireNonNull(mode, "mode must not be null");
        return this;
    }

    /** Runs a {@code Validate} migration with only this validator and returns its results. */
    public ValidationOutcome run() {
        if (source == null || target == null) {
            throw new IllegalStateException("set both source(...) and target(...) before run()");
        }
        MigrationSpec spec = MigrationSpec.builder()
                .name("validate-" + validator.id() + "-" + RUNS.incrementAndGet())
                .source(source).target(target)
                .databases(databases.isEmpty() ? List.of("postgres") : databases)
                .option(MigrationOption.VALIDATE)
                .mode(mode)
                .settings(settings.apply(MigrationSettings.builder().parallelism(2)).build())
                .build();
        try (MigrationService service = MigrationService.builder()
                .plugins(Plugins.of(List.of(validator), List.of())).build()) {
            MigrationRecord record = service.start(spec).await();
            return new ValidationOutcome(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while validating", e);
        }
    }
}
