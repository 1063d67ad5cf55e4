package dev.pgmigrate.core.internal.server;

import dev.pgmigrate.core.internal.pg.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Server parameter values as a configuration file shows them, and as SQL sets them. */
public final class ParameterValues {
    /** Parameters whose list elements are quoted one by one (pg_dump's {@code variable_is_guc_list_quote}). */
    private static final Set<String> LIST_QUOTE = Set.of("local_preload_libraries", "search_path",
            "session_preload_libraries", "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories");
    private static final Pattern SCALED_UNIT = Pattern.compile("(\\d+)(\\D+)");

    private ParameterValues() {
    }

    /**
     * A {@code pg_settings} value as it is written in a configuration: a number with its unit, scaled units
     * ({@code 8kB}) multiplied out and memory and time shown in the largest whole unit.
     */
    static String display(String setting, String unit, String vartype) {
        if (setting == null || unit == null || !(vartype.equals("integer") || vartype.equals("real"))
                || setting.startsWith("-")) {
            return setting;
        }
        Matcher scaled = SCALED_UNIT.matcher(unit);
        if (scaled.matches()) {
            if (!vartype.equals("integer")) {
                return setting;
            }
            return largest(Long.parseLong(setting) * Long.parseLong(scaled.group(1)), scaled.group(2));
        }
        if (vartype.equals("integer")) {
            return largest(Long.parseLong(setting), unit);
        }
        return setting + unit;
    }

    private static String largest(long value, String unit) {
        List<String> memory = List.of("B", "kB", "MB", "GB", "TB");
        int i = memory.indexOf(unit);
        if (i >= 0) {
            while (value != 0 && value % 1024 == 0 && i < memory.size() - 1) {
                value /= 1024;
                i++;
            }
            return value + memory.get(i);
        }
        if (unit.equals("ms") && value != 0 && value % 1000 == 0) {
            return largest(value / 1000, "s");
        }
        if (unit.equals("s") && value != 0 && value % 60 == 0) {
            return largest(value / 60, "min");
        }
        if (unit.equals("min") && value != 0 && value % 60 == 0) {
            return value / 60 + "h";
        }
        return value + unit;
    }

    /** {@code name = value} for {@code ALTER ... SET}, from a stored {@code name=value} setting. */
    static String assignment(String setting) {
        int eq = setting.indexOf('=');
        String name = setting.substring(0, eq);
        return Sql.ident(name) + " = " + valueSql(name, setting.substring(eq + 1));
    }

    /**
     * A value as SQL: one literal, or for the list parameters whose elements are quoted one by one (such as
     * {@code search_path}), one literal per element, as a single literal would become a single element.
     */
    static String valueSql(String name, String value) {
        if (!LIST_QUOTE.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            return Sql.literal(value);
        }
        List<String> elements = splitList(value);
        return elements.isEmpty() ? "''" : elements.stream().map(Sql::literal).collect(Collectors.joining(", "));
    }

    /** Splits {@code "$user", public} into {@code $user} and {@code public}, undoubling quotes. */
    static List<String> splitList(String value) {
        List<String> elements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < value.length() && value.charAt(i + 1) == '"') {
                    current.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    current.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
                any = true;
            } else if (ch == ',') {
                elements.add(current.toString());
                current.setLength(0);
                any = false;
            } else if (!Character.isWhitespace(ch)) {
                current.append(ch);
                any = true;
            }
        }
        if (any || !elements.isEmpty()) {
            elements.add(current.toString());
        }
        return elements;
    }
}
