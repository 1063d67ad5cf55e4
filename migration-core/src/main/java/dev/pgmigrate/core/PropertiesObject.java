package dev.pgmigrate.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** One JSON object of a properties file: its fields by their canonical names, however the file spelled them. */
record PropertiesObject(Map<String, JsonNode> values) {
    boolean has(String name) {
        return values.containsKey(name);
    }

    /** The field's value, or {@code null} when the object does not have it. */
    JsonNode get(String name) {
        return values.get(name);
    }

    boolean isEmpty() {
        return values.isEmpty();
    }
}
