package dev.pgmigrate.core;

import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationException;
import dev.pgmigrate.api.Stable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A store that lives as long as the process: for tests and for embedders that keep records themselves.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public final class InMemoryMigrationStore implements MigrationStore {
    private final Map<String, StoredMigration> migrations = new LinkedHashMap<>();
    private final List<StoredMigration> replaced = new ArrayList<>();

    @Override
    public synchronized void create(StoredMigration migration,
            Function<List<StoredMigration>, Optional<String>> conflicts) {
        List<StoredMigration> sameNamespace = migrations.values().stream()
                .filter(m -> m.namespace().equals(migration.namespace())).toList();
        Optional<String> conflict = conflicts.apply(sameNamespace);
        if (conflict.isPresent()) {
            throw new MigrationException(MessageCode.MIGRATION_STATE_CONFLICT, conflict.get());
        }
        StoredMigration earlier = migrations.put(key(migration.namespace(), migration.name()), migration);
        if (earlier != null) {
            replaced.add(earlier);
        }
    }

    @Override
    public synchronized List<StoredMigration> history(String namespace, String name) {
        return replaced.stream().filter(m -> m.namespace().equals(namespace) && m.name().equals(name)).toList();
    }

    @Override
    public synchronized List<StoredMigration> history() {
        return List.copyOf(replaced);
    }

    @Override
    public synchronized StoredMigration update(String namespace, String name, UnaryOperator<StoredMigration> change) {
        StoredMigration current = migrations.get(key(namespace, name));
        if (current == null) {
            throw new MigrationException(MessageCode.MIGRATION_NOT_FOUND,
                    "No migration named '" + name + "' is stored for target " + namespace
                    + "; run 'pgmigrate migration list' to see the names.");
        }
        StoredMigration changed = change.apply(current);
        migrations.put(key(namespace, name), changed);
        return changed;
    }

    @Override
    public synchronized Optional<StoredMigration> load(String namespace, String name) {
        return Optional.ofNullable(migrations.get(key(namespace, name)));
    }

    @Override
    public synchronized List<StoredMigration> list() {
        return new ArrayList<>(migrations.values());
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
