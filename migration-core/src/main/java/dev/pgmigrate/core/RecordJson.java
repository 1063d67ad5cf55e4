package dev.pgmigrate.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgmigrate.core.internal.run.Json;

/**
 * The JSON form of records, events, verification reports and stored migrations: the one the state directory, the
 * reports and {@code --output json} use, so a tool that reads one reads them all.
 */
public final class RecordJson {
    private RecordJson() {
    }

    /** The shared mapper; configure a copy ({@link ObjectMapper#copy()}) rather than this one. */
    public static ObjectMapper mapper() {
        return Json.mapper();
    }
}
