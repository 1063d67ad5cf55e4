package dev.pgmigrate.core.internal.schema;

import dev.pgmigrate.core.internal.schema.DumpScript.Entry;

/**
 * Which errors of a dump's restore are tolerated, and noted, rather than failing the migration: only those a
 * target that is no superuser (a managed service's) is known to raise on statements that change no data and no
 * definition the user relies on.
 */
public final class RestorePolicy {
    private RestorePolicy() {
    }

    /**
     * Errors a restore on a managed (non-superuser) target is known to raise that change no data and no
     * definition: extension comments and ownership, the public schema's comment and ownership.
     */
    static boolean tolerable(Entry entry, String statement, boolean superuser, String state) {
        boolean privilege = "42501".equals(state);
        if (entry.type().equals("COMMENT") && statement.startsWith("COMMENT ON EXTENSION")) {
            return privilege || !superuser;
        }
        if (entry.type().equals("SCHEMA") && "\"public\"".equals(quoted(entry.tag()))) {
            return "42P06".equals(state) || privilege;
        }
        if (entry.type().equals("COMMENT") && statement.startsWith("COMMENT ON SCHEMA \"public\"")) {
            return privilege;
        }
        // Only superusers create event triggers; the event-triggers check warned that a target without one
        // leaves them out (and their comments, about triggers that were not created).
        if (!superuser && entry.type().equals("EVENT TRIGGER")) {
            return privilege;
        }
        // Creating a subscription takes a superuser, or pg_create_subscription from 16 on; the logical-replication
        // check warned that without one it is left out.
        if (!superuser && entry.type().equals("SUBSCRIPTION")) {
            return privilege;
        }
        if (!superuser && entry.type().equals("COMMENT") && entry.tag().startsWith("SUBSCRIPTION ")) {
            return privilege || "42704".equals(state);
        }
        if (!superuser && entry.type().equals("COMMENT") && entry.tag().startsWith("EVENT TRIGGER ")) {
            return privilege || "42704".equals(state);
        }
        return privilege && RoleFilter.isOwnerChange(statement) && !superuser;
    }

    private static String quoted(String name) {
        return "\"" + name + "\"";
    }
}
