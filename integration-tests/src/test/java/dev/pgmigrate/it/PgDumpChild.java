package dev.pgmigrate.it;

import dev.pgmigrate.api.MigrationSettings;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.core.SecretReferences;
import dev.pgmigrate.core.internal.run.CancelSignal;
import dev.pgmigrate.core.internal.schema.PgTools;
import java.util.List;

/**
 * Runs the engine's pg_dump of one database's pre-data, for a test that kills this process while pg_dump waits.
 * Arguments: host:port:login:passwordFile and the database.
 */
public final class PgDumpChild {
    private PgDumpChild() {
    }

    public static void main(String[] args) throws Exception {
        String[] parts = args[0].split(":", 4);
        ServerSpec server = ServerSpec.builder().host(parts[0]).port(Integer.parseInt(parts[1])).adminLogin(parts[2])
                .password(SecretReferences.resolve("file:" + parts[3])).sslMode(SslMode.DISABLE).build();
        ServerFacts facts = new ServerFacts(150000, "15", "postgres", true, true, true, false, "postgres", List.of());
        MigrationSettings settings = MigrationSettings.builder().build();
        PgTools.dump(PgTools.pgDumpFor(facts, settings), server, settings, args[1], null, "pre-data",
                new CancelSignal());
    }
}
