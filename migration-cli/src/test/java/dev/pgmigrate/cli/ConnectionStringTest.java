package dev.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.api.SslMode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** libpq's two forms of a connection string, as the command line reads them; no server needed. */
class ConnectionStringTest {
    @Test
    void readsAUriWithPercentEncodingAnIpv6HostAndParameters() {
        ConnectionString c = ConnectionString.parse("--source",
                "postgresql://app%40corp@[::1]:6543/sh%20op?sslmode=verify-full&hostaddr=10.0.0.9");
        assertThat(c.user()).isEqualTo("app@corp");
        assertThat(c.host()).isEqualTo("::1");
        assertThat(c.port()).isEqualTo(6543);
        assertThat(c.database()).contains("sh op");
        assertThat(c.sslMode()).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(c.hostaddr()).contains("10.0.0.9");
        assertThat(ConnectionString.parse("--target", "postgres://admin@pg.example.com").port()).isEqualTo(5432);
    }

    @Test
    void readsKeywordsWithSpacesAndQuotedValues() {
        ConnectionString c = ConnectionString.parse("--target", "host = db.local port=5433 user='its me' "
                + "dbname='my db' sslmode=require");
        assertThat(c.host()).isEqualTo("db.local");
        assertThat(c.port()).isEqualTo(5433);
        assertThat(c.user()).isEqualTo("its me");
        assertThat(c.database()).contains("my db");
        assertThat(ConnectionString.parse("--target", "host=h user='a\\'b'").user()).isEqualTo("a'b");
        assertThat(ConnectionString.parse("--target", "host=h").database()).isEqualTo(Optional.empty());
    }

    @Test
    void refusesAPasswordInEitherFormWithoutRepeatingIt() {
        // A password holding '/' or '?' once ended the user info early and was read as a host and port, then shown.
        for (String given : new String[] {"postgresql://me:Secret-1@h:5432/db", "postgresql://me@h?password=Secret-1",
                "host=h user=me password=Secret-1", "me:Secret-1@h:5432", "postgresql://me:Secret-1/x@h:5432/db",
                "postgresql://me:Secret-1?x@h:5432", "postgresql://me:Secret-1#x@h"}) {
            assertThatThrownBy(() -> ConnectionString.parse("--source", given))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                        assertThat(e.getMessage()).as(given).doesNotContain("Secret-1").contains("--source");
                        assertThat(e.problems()).extracting(SpecProblem::rule).as(given).anyMatch(r ->
                                r.contains("PGPASSWORD") || r.contains("neither a URI nor keywords"));
                    });
        }
    }

    @Test
    void aPasswordInAUriIsTheOnlyProblemNamed() {
        // The host is there: it once also said "names no host", since the URI is not read past the password.
        for (String given : new String[] {"postgresql://postgres:Secret-1@127.0.0.1:27432",
                "postgresql://postgres:Secret-1@127.0.0.1:27432/db", "postgresql://me:Secret-1@db.example.com",
                "postgres://me:Secret-1@db.example.com:5432/shop?sslmode=require"}) {
            assertThatThrownBy(() -> ConnectionString.parse("--source", given))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                        assertThat(e.problems()).as(given).singleElement().satisfies(p -> {
                            assertThat(p.rule()).startsWith("holds a password").contains("PGPASSWORD");
                            assertThat(p.value()).doesNotContain("Secret-1");
                        });
                        assertThat(e.getMessage()).as(given).doesNotContain("Secret-1", "names no host");
                    });
        }
    }

    @Test
    void anAtSignInAQueryAfterAHostAndPortIsNoPassword() {
        assertThatThrownBy(() -> ConnectionString.parse("--source", "postgresql://h:5432/db?application_name=a@b"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.problems())
                        .extracting(SpecProblem::value).containsExactly("application_name"));
    }

    @Test
    void namesWhatItDoesNotTake() {
        assertThatThrownBy(() -> ConnectionString.parse("--target", "postgresql://me@h1,h2:5432?sslmode=allow&"
                + "options=-c%20x"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.getMessage()).contains(
                        "several hosts", "sslmode must be one of", "options: pgmigrate does not take"));
        assertThatThrownBy(() -> ConnectionString.parse("--source", "postgresql:///db"))
                .hasMessageContaining("names no host");
        assertThatThrownBy(() -> ConnectionString.parse("--source", "host=/var/run/postgresql"))
                .hasMessageContaining("Unix socket");
        assertThatThrownBy(() -> ConnectionString.parse("--source", "host=h port=five"))
                .hasMessageContaining("must be a number");
        assertThatThrownBy(() -> ConnectionString.parse("--source", "host=h connect_timeout=5"))
                .hasMessageContaining("this one is settings.connectTimeoutSeconds in a properties file");
    }
}
