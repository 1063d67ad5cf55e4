package dev.pgmigrate.cli;

import dev.pgmigrate.api.spi.DataMover;
import dev.pgmigrate.api.spi.Validator;
import dev.pgmigrate.core.Plugins;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = {"Lists every validator and data mover found, with its id and the jar it comes from: those "
                + "built in, and those in the plugin directories (each --plugin-path DIR, the distribution's "
                + "plugins/, and <state-dir>/plugins), which are listed last."},
        footer = {"", "Examples:", "  pgmigrate plugins", "  pgmigrate plugins --plugin-path /opt/vendor/plugins"})
final class PluginsCommand extends CliCommand {
    @Override
    public Integer call() {
        Cli cli = cli();
        List<PluginDirectories.Directory> directories = cli.pluginDirectories();
        Plugins plugins = cli.plugins();
        PrintStream out = cli.out();
        List<Validator> validators = plugins.validators();
        out.println("Validators (" + validators.size() + "):");
        out.print(indent(Format.table(List.of("ID", "SCOPE", "JAR"), validators.stream()
                .map(v -> List.of(v.id(), v.scope().label(), Plugins.jarOf(v.getClass()))).toList())));
        List<DataMover> movers = plugins.movers();
        out.println();
        out.println("Data movers (" + movers.size() + "), the one with the highest priority that supports a table "
                + "takes it:");
        out.print(indent(Format.table(List.of("ID", "PRIORITY", "JAR"), movers.stream()
                .map(m -> List.of(m.id(), Integer.toString(m.priority()), Plugins.jarOf(m.getClass()))).toList())));
        out.println();
        out.println("Plugin directories:");
        for (PluginDirectories.Directory d : directories) {
            int jars = d.jars().size();
            out.println("  " + d.path() + " (" + d.origin() + "): " + (!java.nio.file.Files.isDirectory(d.path())
                    ? "absent" : jars == 0 ? "no jars" : jars + (jars == 1 ? " jar" : " jars")));
        }
        return ExitCodes.SUCCEEDED;
    }

    private static String indent(String table) {
        return table.lines().map(l -> "  " + l + "\n").reduce("", String::concat);
    }
}
