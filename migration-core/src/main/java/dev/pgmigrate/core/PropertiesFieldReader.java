package dev.pgmigrate.core;

import static dev.pgmigrate.core.PropertiesFieldNames.ROOT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.pgmigrate.api.Labeled;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.SpecProblem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads typed values out of the objects of one properties file. A field at fault becomes a {@link SpecProblem}
 * naming its path, and the reader answers {@code null}, so reading goes on and every problem is reported at once.
 */
final class PropertiesFieldReader {
    /** The value shown for a field that is not there. */
    static final String MISSING = "(missing)";
    private static final String HIDDEN = "****";

    private final List<SpecProblem> problems = new ArrayList<>();

    /** The problems found so far, in the order they were found. */
    List<SpecProblem> problems() {
        return problems;
    }

    void problem(String field, String value, String rule) {
        problems.add(new SpecProblem(field, value, rule));
    }

    void addProblems(List<SpecProblem> found) {
        problems.addAll(found);
    }

    /** The fields of an object, matched without regard to case; unknown and repeated keys are reported. */
    PropertiesObject object(String path, JsonNode node, List<String> known, String ruleWhenNotObject) {
        String shown = path.isEmpty() ? "file" : path;
        if (node == null || !node.isObject()) {
            wrongType(shown, node, ruleWhenNotObject);
            return null;
        }
        Map<String, String> canonical = new HashMap<>();
        known.forEach(k -> canonical.put(k.toLowerCase(Locale.ROOT), k));
        Map<String, JsonNode> values = new HashMap<>();
        Map<String, String> spelled = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey();
            String at = path.isEmpty() ? key : path + "." + key;
            String name = canonical.get(key.toLowerCase(Locale.ROOT));
            if (name == null) {
                problem(at, "(unknown field)", PropertiesFieldNames.unknownRule(key, known));
                continue;
            }
            if (spelled.containsKey(name)) {
                problem(at, "(repeated field)", "repeats \"" + spelled.get(name) + "\" (names are matched "
                        + "without regard to case); keep one of them");
                continue;
            }
            spelled.put(name, key);
            values.put(name, entry.getValue());
        }
        return new PropertiesObject(values);
    }

    // ---- scalars

    /** A string field of {@code properties}. */
    String string(PropertiesObject in, String name) {
        return string(in, ROOT, name);
    }

    /** A string field of an object that may be absent itself. */
    String stringIn(PropertiesObject in, String prefix, String name) {
        return in == null ? null : string(in, prefix, name);
    }

    String string(PropertiesObject in, String prefix, String name) {
        JsonNode node = in.get(name);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            wrongType(prefix + "." + name, node, "must be a string in quotes");
            return null;
        }
        return node.asText();
    }

    /** A boolean, also written as the string {@code "true"} or {@code "false"}, as the managed service does. */
    Boolean bool(PropertiesObject in, String prefix, String name) {
        JsonNode node = in.get(name);
        if (node == null) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual() && (node.asText().trim().equalsIgnoreCase("true")
                || node.asText().trim().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(node.asText().trim());
        }
        wrongType(prefix + "." + name, node, "must be true or false");
        return null;
    }

    /** A whole number, also written as a string of digits. */
    Long number(PropertiesObject in, String prefix, String name) {
        JsonNode node = in.get(name);
        if (node == null) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isTextual() && node.asText().trim().matches("-?\\d{1,18}")) {
            return Long.parseLong(node.asText().trim());
        }
        wrongType(prefix + "." + name, node, "must be a whole number");
        return null;
    }

    /** An enum field of {@code properties}. */
    <E extends Enum<E> & Labeled> E enumValue(PropertiesObject in, String name, Class<E> type) {
        return enumValue(in, ROOT, name, type);
    }

    /** A constant by its label, matched without regard to case, {@code -}, {@code _} and spaces. */
    <E extends Enum<E> & Labeled> E enumValue(PropertiesObject in, String prefix, String name, Class<E> type) {
        JsonNode node = in.get(name);
        if (node == null) {
            return null;
        }
        String valid = Arrays.stream(type.getEnumConstants()).map(Labeled::label).collect(Collectors.joining(", "));
        if (!node.isTextual()) {
            wrongType(prefix + "." + name, node, "must be one of: " + valid);
            return null;
        }
        String wanted = normalize(node.asText());
        for (E constant : type.getEnumConstants()) {
            if (normalize(constant.label()).equals(wanted)) {
                return constant;
            }
        }
        problem(prefix + "." + name, node.asText(), "must be one of: " + valid);
        return null;
    }

    private static String normalize(String label) {
        return label.toLowerCase(Locale.ROOT).replaceAll("[-_\\s]", "");
    }

    /**
     * Keeps {@code value}, or {@code other} when only it is given; a value given in both places is a problem unless
     * both places say the same.
     */
    <T> T merge(T value, String field, T other, String otherField) {
        if (other == null) {
            return value;
        }
        if (value != null && value.equals(other)) {
            return value;
        }
        if (value != null) {
            problem(otherField, other instanceof Secret ? HIDDEN : display(other), "repeats " + field
                    + "; give it in one place only");
            return value;
        }
        return other;
    }

    private static String display(Object value) {
        return value instanceof Labeled l ? l.label() : String.valueOf(value);
    }

    // ---- how a wrong value is shown

    /** A problem showing the value's type, and the value itself unless it is missing or may be a password. */
    void wrongType(String field, JsonNode node, String rule) {
        problem(field, node == null ? MISSING : typeName(node) + (node.isValueNode() && !node.isNull()
                && !field.toLowerCase(Locale.ROOT).contains("password") ? " " + shorten(node.toString()) : ""), rule);
    }

    static String typeName(JsonNode node) {
        JsonNodeType type = node.getNodeType();
        return switch (type) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }

    private static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    /** A string as it is, anything else by its type. */
    static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : typeName(node);
    }
}
