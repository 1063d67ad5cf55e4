package dev.pgmigrate.core;

import static dev.pgmigrate.core.PropertiesFieldNames.ROOT;
import static dev.pgmigrate.core.PropertiesFieldNames.SERVER_FIELDS;
import static dev.pgmigrate.core.PropertiesFieldReader.MISSING;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgmigrate.api.Secret;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.api.SslMode;
import dev.pgmigrate.core.PropertiesAddresses.Address;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the source and the target server of a properties file, from pgmigrate's server objects or from the
 * managed service's fields ({@code sourceDbServerResourceId}, {@code secretParameters}, {@code sourceType},
 * {@code targetDbServerFullyQualifiedDomainName}, ...) and the command line's target, and reports a value given in
 * two places that disagree. Where the file's shape leaves a choice, a note says which value was taken.
 */
final class PropertiesServerReader {
    private static final String SERVER_OBJECT = "{\"host\": ..., \"port\": 5432, \"adminLogin\": ..., "
            + "\"password\": ...}";
    static final String TARGET_OPTION = "--target-server";
    private static final String TARGET_RULE = "give the target server as HOST or HOST:PORT, such as pg.example.com:5432";

    private final PropertiesFieldReader fields;
    private final PropertiesPasswordReader passwords;
    private final PropertiesAddresses addresses;
    private final List<String> notes;

    /** Adds what a person should hear about the servers' origin to {@code notes}. */
    PropertiesServerReader(PropertiesFieldReader fields, PropertiesPasswordReader passwords, List<String> notes) {
        this.fields = fields;
        this.passwords = passwords;
        this.addresses = new PropertiesAddresses(fields);
        this.notes = notes;
    }

    /**
     * The source server, or {@code null} when it is at fault.
     *
     * @param p the {@code properties} object
     * @param secrets its {@code secretParameters}, if it has them
     * @param credentials their {@code adminCredentials}, if they have them
     */
    ServerSpec source(PropertiesObject p, PropertiesObject secrets, PropertiesObject credentials) {
        String resourceIdField = ROOT + ".sourceDbServerResourceId";
        boolean azure = p.has("sourceDbServerResourceId");
        if (azure && p.has("sourceServer")) {
            fields.problem(resourceIdField, PropertiesFieldReader.text(p.get("sourceDbServerResourceId")),
                    "the source is given twice; keep either sourceServer or sourceDbServerResourceId");
            return null;
        }
        if (!azure && !p.has("sourceServer")) {
            fields.problem(ROOT + ".sourceServer", MISSING, "say where the source server is: \"sourceServer\": "
                    + SERVER_OBJECT + ", or \"sourceDbServerResourceId\": \"host:port@user\"");
            return null;
        }
        ServerFields server = new ServerFields();
        String prefix = azure ? resourceIdField : ROOT + ".sourceServer";
        Map<String, String> names = new HashMap<>();
        SourceServerType implied = null;
        if (azure) {
            Address a = addresses.resourceId(resourceIdField, p.get("sourceDbServerResourceId"));
            if (a == null) {
                return null;
            }
            server.host = a.host();
            server.hostGiven = true;
            server.port = a.port();
            server.adminLogin = a.login();
            implied = a.type();
            names.put("host", resourceIdField);
            names.put("port", resourceIdField);
            names.put("adminLogin", a.login() != null ? resourceIdField : ROOT + ".secretParameters.sourceServerUserName");
            if (implied != null) {
                notes.add("Source server " + a.shown() + ", the host name of the " + implied.label() + " that "
                        + resourceIdField + " names.");
            }
        } else {
            PropertiesObject s = fields.object(prefix, p.get("sourceServer"), SERVER_FIELDS, "must be an object: "
                    + SERVER_OBJECT);
            if (s == null) {
                return null;
            }
            readServerObject(prefix, s, server, MigrationProperties.SOURCE_SERVER);
        }
        // The managed service's names for the same things, outside the server object.
        String user = fields.merge(fields.stringIn(secrets, ROOT + ".secretParameters", "sourceServerUserName"),
                ROOT + ".secretParameters.sourceServerUserName", fields.string(p, "sourceServerUserName"),
                ROOT + ".sourceServerUserName");
        String userField = secrets != null && secrets.has("sourceServerUserName")
                ? ROOT + ".secretParameters.sourceServerUserName" : ROOT + ".sourceServerUserName";
        if (azure && user != null && server.adminLogin != null && !user.equals(server.adminLogin)) {
            // The service logs in as this user, who need not be the admin the resource id names.
            notes.add("The source login is " + user + " (" + userField + "), not " + server.adminLogin + " of "
                    + resourceIdField + ", as the managed service does.");
            server.adminLogin = user;
        } else {
            server.adminLogin = fields.merge(server.adminLogin, prefix + ".adminLogin", user, userField);
        }
        server.sslMode = fields.merge(server.sslMode, prefix + ".sslMode", fields.enumValue(p, "sslMode",
                SslMode.class), ROOT + ".sslMode");
        server.type = fields.merge(server.type, prefix + ".type", fields.enumValue(p, "sourceType",
                SourceServerType.class), ROOT + ".sourceType");
        server.type = server.type != null ? server.type : implied;
        server.fqdn = fields.merge(server.fqdn, prefix + ".fullyQualifiedDomainName",
                fields.string(p, "sourceDbServerFullyQualifiedDomainName"),
                ROOT + ".sourceDbServerFullyQualifiedDomainName");
        server.password = fields.merge(server.password, prefix + ".password",
                passwords.password(credentials, ROOT + ".secretParameters.adminCredentials", "sourceServerPassword",
                        MigrationProperties.SOURCE_SERVER), ROOT + ".secretParameters.adminCredentials."
                        + "sourceServerPassword");
        return build(prefix, server, names);
    }

    /**
     * The target server, or {@code null} when it is at fault: {@code targetServer}, else the managed service's
     * {@code targetDbServerFullyQualifiedDomainName}, else {@code commandLine}; the parameters are those of
     * {@link #source}.
     *
     * @param commandLine {@code HOST[:PORT]} from {@value #TARGET_OPTION}, or {@code null}; when the file names a
     *     target too, both must name the same server
     */
    ServerSpec target(PropertiesObject p, PropertiesObject secrets, PropertiesObject credentials, String commandLine) {
        String objectPrefix = ROOT + ".targetServer";
        String fqdnField = ROOT + ".targetDbServerFullyQualifiedDomainName";
        String fqdn = fields.string(p, "targetDbServerFullyQualifiedDomainName");
        ServerFields server = new ServerFields();
        Map<String, String> names = new HashMap<>();
        String namedBy = null;
        boolean object = p.has("targetServer");
        if (object) {
            PropertiesObject t = fields.object(objectPrefix, p.get("targetServer"), SERVER_FIELDS,
                    "must be an object: " + SERVER_OBJECT);
            if (t == null) {
                return null;
            }
            readServerObject(objectPrefix, t, server, MigrationProperties.TARGET_SERVER);
            namedBy = server.hostGiven ? objectPrefix + ".host" : null;
            // Beside a server object, the service's field is the name to connect to, as its custom FQDN.
            server.fqdn = fields.merge(server.fqdn, objectPrefix + ".fullyQualifiedDomainName", fqdn, fqdnField);
        } else if (fqdn != null) {
            server.host = fqdn;
            server.hostGiven = true;
            namedBy = fqdnField;
            names.put("host", fqdnField);
            names.put("fullyQualifiedDomainName", fqdnField);
        }
        if (commandLine != null) {
            Optional<Address> given = addresses.hostAndPort(TARGET_OPTION, commandLine, TARGET_RULE);
            if (given.isEmpty()) {
                return null;
            }
            Address a = given.get();
            if (namedBy == null) {
                server.host = a.host();
                server.hostGiven = true;
                server.port = a.port();
                names.put("host", TARGET_OPTION);
                names.put("port", TARGET_OPTION);
                notes.add("Target server " + a.shown() + ", from " + TARGET_OPTION + ".");
            } else if (!a.host().equalsIgnoreCase(server.host)
                    || a.portGiven() && server.portGiven && a.port() != server.port) {
                fields.problem(TARGET_OPTION, commandLine, "names another target server than " + namedBy + " ("
                        + new Address(server.host, server.port, true, null, null).shown() + "); give the target in "
                        + "one place, or the same server in both");
                return null;
            } else {
                // A name says nothing of the port: the command line's is taken where the file gives none.
                server.port = a.portGiven() && !server.portGiven ? a.port() : server.port;
                if (a.portGiven()) {
                    names.put("port", TARGET_OPTION);
                }
                notes.add("Target server " + new Address(server.host, server.port, true, null, null).shown()
                        + ", named by " + namedBy + " and " + TARGET_OPTION + " alike.");
            }
        } else if (!object && fqdn != null) {
            notes.add("Target server " + new Address(fqdn, server.port, false, null, null).shown() + ", from "
                    + fqdnField + " (port " + server.port + ", the default; " + TARGET_OPTION + " HOST:PORT gives "
                    + "another).");
        }
        if (!object && !server.hostGiven) {
            fields.problem(objectPrefix, MISSING, "say where the target server is: \"targetDbServerFullyQualified"
                    + "DomainName\": \"HOST\" (the managed service's field), \"targetServer\": " + SERVER_OBJECT
                    + ", or " + TARGET_OPTION + " HOST[:PORT] on the command line");
            return null;
        }
        String prefix = object ? objectPrefix : ROOT;
        String user = fields.merge(fields.stringIn(secrets, ROOT + ".secretParameters", "targetServerUserName"),
                ROOT + ".secretParameters.targetServerUserName", fields.string(p, "targetServerUserName"),
                ROOT + ".targetServerUserName");
        String userField = secrets != null && secrets.has("targetServerUserName")
                ? ROOT + ".secretParameters.targetServerUserName" : ROOT + ".targetServerUserName";
        server.adminLogin = fields.merge(server.adminLogin, objectPrefix + ".adminLogin", user, userField);
        if (!object) {
            names.put("adminLogin", userField);
        }
        server.password = fields.merge(server.password, objectPrefix + ".password",
                passwords.password(credentials, ROOT + ".secretParameters.adminCredentials", "targetServerPassword",
                        MigrationProperties.TARGET_SERVER), ROOT + ".secretParameters.adminCredentials."
                        + "targetServerPassword");
        return build(prefix, server, names);
    }

    private void readServerObject(String prefix, PropertiesObject s, ServerFields server, String serverKey) {
        server.host = fields.string(s, prefix, "host");
        server.hostGiven = s.has("host");
        server.port = port(s, prefix);
        server.portGiven = s.has("port");
        server.adminLogin = fields.string(s, prefix, "adminLogin");
        server.password = passwords.password(s, prefix, "password", serverKey);
        server.sslMode = fields.enumValue(s, prefix, "sslMode", SslMode.class);
        server.type = fields.enumValue(s, prefix, "type", SourceServerType.class);
        server.fqdn = fields.string(s, prefix, "fullyQualifiedDomainName");
    }

    private int port(PropertiesObject s, String prefix) {
        JsonNode node = s.get("port");
        String field = prefix + ".port";
        if (node == null) {
            return ServerSpec.DEFAULT_PORT;
        }
        if (node.isTextual() && node.asText().trim().matches("\\d{1,9}")) {
            return Integer.parseInt(node.asText().trim());
        }
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return node.intValue();
        }
        if (node.isIntegralNumber() || (node.isTextual() && node.asText().trim().matches("\\d+"))) {
            // Too large for a port: said with the value as given, not as an overflowed number.
            fields.problem(field, node.asText(), "must be a whole number between 1 and 65535, such as 5432");
            return ServerSpec.DEFAULT_PORT;
        }
        fields.wrongType(field, node, "must be a whole number between 1 and 65535, such as 5432");
        return ServerSpec.DEFAULT_PORT;
    }

    /**
     * The server, or {@code null} after reporting its problems.
     *
     * @param names where the file or command line gave a part ({@code host}, {@code port}, {@code adminLogin},
     *     {@code fullyQualifiedDomainName}) when that is not {@code prefix.part}
     */
    private ServerSpec build(String prefix, ServerFields s, Map<String, String> names) {
        if (!s.hostGiven) {
            fields.problem(prefix + ".host", MISSING, "give the server's host name or IP address");
        }
        if (s.adminLogin == null) {
            fields.problem(names.getOrDefault("adminLogin", prefix + ".adminLogin"), MISSING, "give the login "
                    + "pgmigrate connects as, such as \"postgres\"");
        }
        if (!s.hostGiven || s.adminLogin == null || s.host == null) {
            return null;
        }
        SslMode ssl = s.sslMode != null ? s.sslMode : SslMode.PREFER;
        SourceServerType type = s.type != null ? s.type : SourceServerType.ON_PREMISES;
        List<SpecProblem> found = ServerSpec.problems(prefix, s.host, s.port, s.adminLogin, ssl, type, s.fqdn);
        if (!found.isEmpty()) {
            found.forEach(problem -> {
                String part = problem.field().substring(prefix.length() + 1);
                fields.problem(names.getOrDefault(part, problem.field()), problem.value(), problem.rule());
            });
            return null;
        }
        return ServerSpec.builder().host(s.host).port(s.port).adminLogin(s.adminLogin).password(s.password)
                .sslMode(ssl).type(type).fullyQualifiedDomainName(connectName(s.fqdn, s.host)).build();
    }

    /** The custom name to connect to, unless it is the host itself. */
    private static String connectName(String fqdn, String host) {
        return fqdn == null || fqdn.toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT)) ? null : fqdn;
    }

    /** One server's fields while they are gathered from the places a file may give them. */
    private static final class ServerFields {
        String host;
        boolean hostGiven;
        int port = ServerSpec.DEFAULT_PORT;
        boolean portGiven;
        String adminLogin;
        Secret password;
        SslMode sslMode;
        SourceServerType type;
        String fqdn;
    }
}
