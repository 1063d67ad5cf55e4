package dev.pgmigrate.validators;

import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.api.ValidationResult;
import dev.pgmigrate.api.ValidationScope;
import dev.pgmigrate.api.spi.ServerAccess;
import dev.pgmigrate.api.spi.ServerFacts;
import dev.pgmigrate.api.spi.ValidationContext;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Connects to one server and tells each way of failing apart: unreachable host, closed port, timeout, TLS,
 * {@code pg_hba.conf}, password, role, database. Shared by the source and target connectivity validators.
 */
abstract class ConnectivityCheck extends BuiltInValidator {
    private static final Pattern HBA_HOST = Pattern.compile("for host \"([^\"]+)\"");

    /** How a failed connection attempt is classified; one result wording per kind. */
    enum Failure {
        UNKNOWN_HOST, UNREACHABLE, REFUSED, TIMEOUT, TLS_NOT_OFFERED, TLS_REQUIRED_BY_SERVER, TLS_REFUSED_BY_SERVER,
        TLS_HANDSHAKE, NO_HBA_ENTRY, HBA_REJECT, WRONG_PASSWORD, NO_PASSWORD, NO_ROLE, NO_DATABASE, NO_CONNECT,
        TOO_MANY_CONNECTIONS, NOT_READY, OTHER
    }

    ConnectivityCheck(String id, String description) {
        super(id, ValidationScope.INSTANCE, description);
    }




    abstract ServerAccess server(ValidationContext context);

    @Override
    public final List<ValidationResult> validate(ValidationContext context) {
        ServerAccess server = server(context);
        ServerSpec spec = server.spec();
        String database = server.facts().map(ServerFacts::maintenanceDatabase).orElse("postgres");
        String who = server.role().label() + " " + spec.address() + " as " + spec.adminLogin();
        long start = System.nanoTime();
        try (Connection connection = server.connect(database)) {
            long millis = elapsedMillis(start);
            return List.of(connected(context, connection, who, database, millis));
        } catch (SQLException e) {
            return List.of(describe(context, server, e, who, database, elapsedMillis(start)));
        }
    }

    static long elapsedMillis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private ValidationResult connected(ValidationContext context, Connection connection, String who,
            String database, long millis) throws SQLException {
        SslMode mode = server(context).spec().sslMode();
        List<String[]> rows = Sql.list(connection, "SELECT s.ssl::text, s.version,"
                + " CASE family(inet_server_addr()) WHEN 6 THEN 'IPv6' WHEN 4 THEN 'IPv4' ELSE 'a Unix socket' END,"
                + " current_setting('server_version') FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()",
                rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
        String[] row = rows.isEmpty() ? new String[] {"false", null, "?", "?"} : rows.get(0);
        boolean tls = "true".equals(row[0]);
        String found = "Connected to " + who + " (database " + database + ", PostgreSQL " + row[3] + ") in " + millis
                + " ms over " + row[2] + (tls ? " with " + row[1] : " without TLS") + ".";
        if (mode.requiresTls() && !tls) {
            return context.failed(found, "sslMode is " + mode.label() + " but the session is not encrypted.",
                    "Enable ssl on the server, or lower sslMode.", List.of());
        }
        if (tls && row[1] != null && (row[1].equals("TLSv1") || row[1].equals("TLSv1.1") || row[1].startsWith("SSL"))) {
            return context.warning(found, row[1] + " is obsolete; data and credentials cross the network under it.",
                    "Set ssl_min_protocol_version = 'TLSv1.2' on the server (PostgreSQL 12 and later) and reload.",
                    List.of(row[1]));
        }
        return context.succeeded(found);
    }

    /**
     * Tells what went wrong from the SQLState, the message and the cause chain. Servers name the encryption of a
     * refused connection ("no encryption", "SSL encryption"; "SSL off" before 12) in every {@code pg_hba.conf}
     * refusal, so only a refusal of the one mode the client insisted on points at TLS.
     */
    static Failure classify(SQLException e, SslMode mode) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return Failure.UNKNOWN_HOST;
            }
            if (t instanceof NoRouteToHostException) {
                return Failure.UNREACHABLE;
            }
            if (t instanceof ConnectException) {
                return t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("timed out")
                        ? Failure.TIMEOUT : Failure.REFUSED;
            }
            if (t instanceof SocketTimeoutException) {
                return Failure.TIMEOUT;
            }
            if (t instanceof SSLException) {
                return Failure.TLS_HANDSHAKE;
            }
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? "" : e.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("does not support ssl")) {
            return Failure.TLS_NOT_OFFERED;
        }
        if (lower.contains("timed out") || lower.contains("timeout")) {
            return Failure.TIMEOUT;
        }
        if (lower.contains("no password was provided")) {
            return Failure.NO_PASSWORD;
        }
        switch (state) {
            case "28000":
                if (lower.contains("no pg_hba.conf entry")) {
                    if (mode == SslMode.DISABLE && (lower.contains("no encryption") || lower.contains("ssl off"))) {
                        return Failure.TLS_REQUIRED_BY_SERVER;
                    }
                    if (mode.requiresTls() && (lower.contains("ssl encryption") || lower.contains("ssl on"))) {
                        return Failure.TLS_REFUSED_BY_SERVER;
                    }
                    return Failure.NO_HBA_ENTRY;
                }
                if (lower.contains("role") && lower.contains("does not exist")) {
                    return Failure.NO_ROLE;
                }
                return lower.contains("pg_hba.conf rejects") ? Failure.HBA_REJECT : Failure.OTHER;
            case "28P01":
                return Failure.WRONG_PASSWORD;
            case "3D000":
                return Failure.NO_DATABASE;
            case "42501":
                return Failure.NO_CONNECT;
            case "53300":
                return Failure.TOO_MANY_CONNECTIONS;
            case "57P03":
                return Failure.NOT_READY;
            default:
                return Failure.OTHER;
        }
    }

    /** What to correct for a refused password: where the password came from, as far as anyone said. */
    private static String correctPassword(ServerSpec spec) {
        if (spec.password().isEmpty()) {
            // The driver read it from the password file: pgmigrate gave it none.
            return "No password was given for " + spec.adminLogin() + ", so the driver took the one in the password "
                    + "file (PGPASSFILE, else ~/.pgpass) for " + spec.address() + ": correct that entry ("
                    + passFileLine(spec) + ").";
        }
        return spec.password().flatMap(Secret::origin).map(o -> "The password came from " + o + ": correct it "
                + "there.").orElse("Give the correct password.");
    }

    /** A password file line for {@code spec}'s login at its address, any database, with a placeholder password. */
    private static String passFileLine(ServerSpec spec) {
        String host = spec.connectHost().replace("\\", "\\\\").replace(":", "\\:");
        return host + ":" + spec.port() + ":*:" + spec.adminLogin().replace("\\", "\\\\").replace(":", "\\:")
                + ":PASSWORD";
    }

    /** The Failed result for a connection to {@code database} on {@code server} that failed with {@code e}. */
    static ValidationResult describe(ValidationContext context, ServerAccess server, SQLException e, String who,
            String database, long millis) {
        ServerSpec spec = server.spec();
        Failure failure = classify(e, spec.sslMode());
        String after = " after " + millis + " ms";
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String state = " (SQLState " + e.getSQLState() + ": " + message + ")";
        String login = spec.adminLogin();
        String why = "pgmigrate reads the " + server.role().label()
                + "'s catalogs and data through this login; nothing can be checked or copied without it.";
        String hba = "the server's pg_hba.conf (SHOW hba_file names it)";
        String reload = " Then reload the configuration: SELECT pg_reload_conf(); or pg_ctl reload.";
        switch (failure) {
            case UNKNOWN_HOST:
                return context.failed("Cannot resolve host " + spec.connectHost() + after + ".", why,
                        "Correct the host name, fix DNS, or give the address in fullyQualifiedDomainName.", List.of());
            case UNREACHABLE:
                return context.failed("Host " + spec.connectHost() + " is unreachable" + after + " (no route).", why,
                        "Check the address, routing and firewalls between this machine and the server.", List.of());
            case REFUSED:
                return context.failed("Connection to " + spec.address() + " refused" + after
                        + ": nothing listens on that port.", why, "Start the server, check the port, and make sure "
                        + "listen_addresses in postgresql.conf includes the interface this machine connects to "
                        + "(a restart is needed after changing it).", List.of());
            case TIMEOUT:
                return context.failed("No answer from " + spec.address() + " within " + millis + " ms.", why,
                        "A firewall or security group is probably dropping packets: allow TCP to port " + spec.port()
                                + " from this machine. On a slow link, raise connectTimeout.", List.of());
            case TLS_NOT_OFFERED:
                return context.failed("sslMode is " + spec.sslMode().label() + " but " + spec.address()
                        + " does not offer TLS" + after + ".", why, "Enable TLS on the server (ssl = on with a "
                        + "certificate and key, then reload), or set sslMode to prefer or disable.", List.of());
            case TLS_REQUIRED_BY_SERVER:
                return context.failed("The server has no pg_hba.conf entry for " + login + " without TLS, and "
                        + "sslMode is disable" + after + state + ".", why, "If the server accepts this login only "
                        + "over TLS (hostssl lines), set sslMode to prefer or require; otherwise add a 'host' line "
                        + "for it to " + hba + "." + reload, List.of());
            case TLS_REFUSED_BY_SERVER:
                return context.failed("The server accepts " + login + " only without TLS (hostnossl), and sslMode is "
                        + spec.sslMode().label() + after + state + ".", why, "Add a 'hostssl' line for " + login
                        + " to " + hba + ", or set sslMode to disable." + reload, List.of());
            case TLS_HANDSHAKE:
                return context.failed("The TLS handshake with " + spec.address() + " failed" + after + state + ".", why,
                        "With verify-ca or verify-full, trust the server's CA (and match its host name), or use "
                                + "require; check the server's ssl_min_protocol_version.", List.of());
            case NO_HBA_ENTRY: {
                Matcher m = HBA_HOST.matcher(message);
                String client = m.find() ? m.group(1) : "<this machine's address>";
                String mask = client.contains(":") ? "/128" : "/32";
                String line = (spec.sslMode().requiresTls() ? "hostssl" : "host") + " all " + login + " " + client
                        + mask + " scram-sha-256";
                return context.failed("The server has no pg_hba.conf entry for " + login + " from " + client + after
                        + state + ".", why, "Add this line to " + hba + ", above any line that would reject it: "
                        + line + "." + reload, List.of(line));
            }
            case HBA_REJECT:
                return context.failed("A 'reject' line in pg_hba.conf refuses " + login + after + state + ".", why,
                        "Remove or narrow the reject line in " + hba + ", or add an accepting line above it." + reload,
                        List.of());
            case WRONG_PASSWORD:
                return context.failed("Password authentication failed for " + login + after + state + ".", why,
                        correctPassword(spec) + " If it is right, the role may not exist: password authentication "
                                + "does not say which (check with SELECT 1 FROM pg_roles WHERE rolname = '" + login
                                + "').", List.of());
            case NO_PASSWORD:
                return context.failed("The server asks " + login + " for a password and none was given" + after + ".",
                        why, "Give the password of " + login + " at " + spec.address() + " in one of the ways "
                                + "pgmigrate reads one: the environment variable PGPASSWORD; an entry in the "
                                + "password file (PGPASSFILE, else ~/.pgpass), such as " + passFileLine(spec)
                                + "; typed at a terminal (pgmigrate asks when it has one; --prompt-password asks "
                                + "always); or, with a properties file, its password field, as {\"env\": "
                                + "\"VARIABLE\"} or {\"file\": \"path\"}. Through the API: ServerSpec.password.",
                        List.of());
            case NO_ROLE:
                return context.failed("Role " + login + " does not exist on " + spec.address() + after + ".", why,
                        "Create it (CREATE ROLE " + login + " LOGIN PASSWORD '...') or correct adminLogin.", List.of());
            case NO_DATABASE:
                return context.failed("Database " + database + " does not exist on " + spec.address() + after + ".",
                        why, "pgmigrate connects to it for instance-level work: create it (CREATE DATABASE "
                                + database + ") or point the server spec at an existing one.", List.of());
            case NO_CONNECT:
                return context.failed(login + " may not connect to database " + database + after + state + ".", why,
                        "GRANT CONNECT ON DATABASE " + database + " TO " + login + ";", List.of());
            case TOO_MANY_CONNECTIONS:
                return context.failed("The server has no free connection slot" + after + state + ".", why,
                        "Close idle sessions or raise max_connections; pgmigrate needs one connection per worker "
                                + "plus one per database.", List.of());
            case NOT_READY:
                return context.failed("The server is starting up, shutting down or recovering" + after + state + ".",
                        why, "Wait until it accepts connections, then validate again.", List.of());
            default:
                return context.failed("Cannot connect to " + who + after + state + ".", why,
                        "Check the server spec (host, port, login, password, sslMode) against the server's "
                                + "configuration.", List.of());
        }
    }
}
