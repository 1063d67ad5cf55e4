package dev.pgmigrate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that runs: it reaches the shared {@link Cli} through the root command. */
abstract class CliCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    Cli cli() {
        return ((PgmigrateCommand) spec.root().userObject()).cli();
    }
}
