package dev.pgmigrate.cli;

import dev.pgmigrate.core.PgmigrateVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The manual page pgmigrate(1), in troff, made from the same picocli model as {@code --help}: every command with
 * its synopsis, description, options and examples on one page.
 *
 * <p>Written here rather than with picocli-codegen's ManPageGenerator, which writes AsciiDoc: turning that into a
 * page {@code man} reads takes Asciidoctor, on JRuby, tens of megabytes and many seconds more per build.
 */
final class ManualPage {
    private final StringBuilder page = new StringBuilder();

    private ManualPage() {
    }

    /** The page of {@code root}, the {@code pgmigrate} command. */
    static String of(CommandLine root) {
        return new ManualPage().write(root.getCommandSpec());
    }

    private String write(CommandSpec root) {
        String version = PgmigrateVersion.current().version();
        line(".TH PGMIGRATE 1 \"\" \"pgmigrate " + escape(version) + "\" \"pgmigrate manual\"");
        section("NAME");
        line("pgmigrate \\- migrate PostgreSQL databases from one server to another, validated and verified");
        section("SYNOPSIS");
        line(".B pgmigrate");
        line("[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fICOMMAND OPTIONS\\fR]");
        section("DESCRIPTION");
        paragraphs(root.usageMessage().description());
        section("OPTIONS");
        line("These options apply to every command.");
        options(root);
        section("COMMANDS");
        for (CommandLine sub : visibleSubcommands(root)) {
            command(sub.getCommandSpec());
        }
        section("ENVIRONMENT");
        item("PGMIGRATE_HOME", "The state directory when --state-dir is not given (default: ~/.pgmigrate).");
        item("PGMIGRATE_JAVA_OPTS", "JVM options added by the launcher, such as -Xmx2g; a background migration "
                + "runs with them too.");
        item("PGMIGRATE_CDS", "off turns off the launcher's class-data sharing archive.");
        item("JAVA_HOME", "The JDK or JRE (17 or later) whose bin/java runs pgmigrate; else the java on PATH.");
        section("FILES");
        item("<state-dir>/<target>/<name>.json", "One file per migration: its record, never a password.");
        item("<state-dir>/logs", "The library's log (pgmigrate.log) and each background migration's log.");
        item("<state-dir>/plugins, plugins/ of the distribution",
                "Plugin jars (validators, data movers) that every command uses; see pgmigrate plugins.");
        section("EXAMPLES AND EXIT STATUS");
        footer(root.usageMessage().footer());
        section("SEE ALSO");
        line("pg_dump(1), psql(1); the README of pgmigrate for the properties file and the library.");
        return page.toString();
    }

    private void command(CommandSpec spec) {
        line(".SS " + escape(spec.qualifiedName()));
        String synopsis = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF)).synopsis(0).strip();
        line(".nf");
        synopsis.lines().forEach(l -> line(escape(l.strip())));
        line(".fi");
        paragraphs(spec.usageMessage().description());
        options(spec);
        footer(spec.usageMessage().footer());
        for (CommandLine sub : visibleSubcommands(spec)) {
            command(sub.getCommandSpec());
        }
    }

    private void options(CommandSpec spec) {
        for (OptionSpec option : spec.options()) {
            if (option.hidden() || option.inherited() || (spec.parent() != null && option.usageHelp())
                    || (spec.parent() != null && option.versionHelp())) {
                continue; // inherited ones and -h/-V are on the page once, under OPTIONS
            }
            String label = option.typeInfo().isBoolean() ? "" : "=\\fI" + escape(option.paramLabel()) + "\\fR";
            List<String> names = new ArrayList<>();
            for (String name : option.names()) {
                names.add("\\fB" + escape(name) + "\\fR" + label);
            }
            line(".TP");
            line(String.join(", ", names));
            line(escape(String.join(" ", option.renderedDescription())));
        }
    }

    private static List<CommandLine> visibleSubcommands(CommandSpec spec) {
        List<CommandLine> visible = new ArrayList<>();
        spec.subcommands().forEach((name, sub) -> {
            // The map holds each command under its aliases too: keep the one under its own name.
            if (!sub.getCommandSpec().usageMessage().hidden() && name.equals(sub.getCommandName())) {
                visible.add(sub);
            }
        });
        return visible;
    }

    private void paragraphs(String[] text) {
        for (String paragraph : text) {
            if (!paragraph.isBlank()) {
                line(".PP");
                line(escape(paragraph.strip()));
            }
        }
    }

    /** A footer: its indented lines (the examples, commands to copy) as written, the others as filled text. */
    private void footer(String[] footer) {
        boolean verbatim = false;
        for (String l : footer) {
            if (l.isBlank()) {
                continue;
            }
            boolean indented = l.startsWith(" ");
            if (indented != verbatim) {
                line(indented ? ".nf\n.RS 4" : ".RE\n.fi");
                verbatim = indented;
            }
            if (!indented) {
                line(".PP");
            }
            line(escape(l.strip()));
        }
        if (verbatim) {
            line(".RE\n.fi");
        }
    }

    private void section(String title) {
        line(".SH " + title.toUpperCase(Locale.ROOT));
    }

    private void item(String tag, String text) {
        line(".TP");
        line("\\fB" + escape(tag) + "\\fR");
        line(escape(text));
    }

    private void line(String text) {
        page.append(text).append('\n');
    }

    /** Text as troff prints it: backslashes and hyphens escaped, and no line taken for a request. */
    static String escape(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }
}
