package dev.pgmigrate.core.internal.run;

import java.util.Arrays;
import java.util.Optional;

/**
 * How far a migration got, as a resume reads it: typed accessors over the record's state, whose stored keys and
 * values stay as they were, so that the state of a migration interrupted by an earlier version still loads.
 */
public final class Checkpoint {
    /** How far a database got; each stage is written once what it names is committed on the target. */
    public enum Stage {
        /** Not started. */
        NONE(""),
        /** Its working database was created; its schema may be partly restored: a resume starts it again. */
        CREATED("created"),
        /** Its pre-data schema is restored. */
        SCHEMA("schema"),
        /** Its data, indexes, constraints and the rest of the post-data are in. */
        DATA("data"),
        /** Verified, its sessions and snapshot released: only completion remains. */
        VERIFIED("verified"),
        /** Its properties are applied and it has its final name. */
        DONE("done");

        private final String label;

        Stage(String label) {
            this.label = label;
        }

        /** A stored stage; one this version does not know is treated as {@link #CREATED}: started again. */
        static Stage of(String label) {
            return Arrays.stream(values()).filter(s -> s.label.equals(label)).findFirst().orElse(CREATED);
        }
    }

    private final RecordKeeper keeper;

    public Checkpoint(RecordKeeper keeper) {
        this.keeper = keeper;
    }

    public Stage stage(String database) {
        return Stage.of(keeper.state("db." + database + ".stage").orElse(""));
    }

    public void stage(String database, Stage stage) {
        keeper.putState("db." + database + ".stage", stage.label);
    }

    /** The working name a database was created under, if it was. */
    public Optional<String> workingName(String database) {
        return keeper.state("db." + database + ".working");
    }

    public void workingName(String database, String name) {
        keeper.putState("db." + database + ".working", name);
    }

    /** How many of the entries after the table-bound post-data ran: they are not all idempotent. */
    public int postDataDone(String database) {
        return keeper.state("db." + database + ".rest").map(Integer::parseInt).orElse(0);
    }

    public void postDataDone(String database, int entries) {
        keeper.putState("db." + database + ".rest", String.valueOf(entries));
    }

    /** Whether the roles the databases need were created. */
    boolean rolesDone() {
        return keeper.state("roles.done").isPresent();
    }

    void rolesDone(boolean done) {
        if (done) {
            keeper.putState("roles.done", "true");
        }
    }
}
