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
import java.util.List;

/**
 * Reads the source and the target server of a properties file, from pgmigrate's server objects or from the
 * managed service's fields ({@code sourceDbServerResourceId}, {@code secretParameters}, {@code sourceType}, ...),
 * and reports a value the file gives in both places.
 */
final class PropertiesServerReader {
    private static final String SERVER_OBJECT = "{\"host\": ..., \"port\": 5432, \"adminLogin\": ..., "
            + "\"password\": ...}";

    private final PropertiesFieldReader fields;
    private final PropertiesPasswordReader passwords;

    PropertiesServerReader(PropertiesFieldReader fields, PropertiesPasswordReader passwords) {
        this.fields = fields;
        this.passwords = passwords;
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
                    + SERVER_OBJECT);
            return null;
        }
        ServerFields server = new ServerFields();
        String prefix;
        if (azure) {
            prefix = resourceIdField;
            parseResourceId(resourceIdField, p.get("sourceDbServerResourceId"), server);
        } else {
            prefix = ROOT + ".sourceServer";
            PropertiesObject s = fields.object(prefix, p.get("sourceServer"), SERVER_FIELDS, "must be an object: "
                    + SERVER_OBJECT);
            if (s == null) {
                return null;
            }
            readServerObject(prefix, s, server, MigrationProperties.SOURCE_SERVER);
        }
        // The managed service's names for the same things, outside the server object.
        server.adminLogin = fields.merge(server.adminLogin, prefix + ".adminLogin", fields.stringIn(secrets,
                ROOT + ".secretParameters", "sourceServerUserName"), ROOT + ".secretParameters.sourceServerUserName");
        server.adminLogin = fields.merge(server.adminLogin, prefix + ".adminLogin",
                fields.string(p, "sourceServerUserName"), ROOT + ".sourceServerUserName");
        server.sslMode = fields.merge(server.sslMode, prefix + ".sslMode", fields.enumValue(p, "sslMode",
                SslMode.class), ROOT + ".sslMode");
        server.type = fields.merge(server.type, prefix + ".type", fields.enumValue(p, "sourceType",
                SourceServerType.class), ROOT + ".sourceType");
        server.fqdn = fields.merge(server.fqdn, prefix + ".fullyQualifiedDomainName",
                fields.string(p, "sourceDbServerFullyQualifiedDomainName"),
                ROOT + ".sourceDbServerFullyQualifiedDomainName");
        server.password = fields.merge(server.password, prefix + ".password",
                passwords.password(credentials, ROOT + ".secretParameters.adminCredentials", "sourceServerPassword",
                        MigrationProperties.SOURCE_SERVER), ROOT + ".secretParameters.adminCredentials."
                        + "sourceServerPassword");
        return build(prefix, server);
    }

    /** The target server, or {@code null} when it is at fault; the parameters are those of {@link #source}. */
    ServerSpec target(PropertiesObject p, PropertiesObject secrets, PropertiesObject credentials) {
        String prefix = ROOT + ".targetServer";
        if (!p.has("targetServer")) {
            fields.problem(prefix, MISSING, "say where the target server is: \"targetServer\": " + SERVER_OBJECT);
            return null;
        }
        PropertiesObject t = fields.object(prefix, p.get("targetServer"), SERVER_FIELDS, "must be an object: "
                + SERVER_OBJECT);
        if (t == null) {
            return null;
        }
        ServerFields server = new ServerFields();
        readServerObject(prefix, t, server, MigrationProperties.TARGET_SERVER);
        server.adminLogin = fields.merge(server.adminLogin, prefix + ".adminLogin", fields.stringIn(secrets,
                ROOT + ".secretParameters", "targetServerUserName"), ROOT + ".secretParameters.targetServerUserName");
        server.adminLogin = fields.merge(server.adminLogin, prefix + ".adminLogin",
                fields.string(p, "targetServerUserName"), ROOT + ".targetServerUserName");
        server.fqdn = fields.merge(server.fqdn, prefix + ".fullyQualifiedDomainName",
                fields.string(p, "targetDbServerFullyQualifiedDomainName"),
                ROOT + ".targetDbServerFullyQualifiedDomainName");
        server.password = fields.merge(server.password, prefix + ".password",
                passwords.password(credentials, ROOT + ".secretParameters.adminCredentials", "targetServerPassword",
                        MigrationProperties.TARGET_SERVER), ROOT + ".secretParameters.adminCredentials."
                        + "targetServerPassword");
        return build(prefix, server);
    }

    private void readServerObject(String prefix, PropertiesObject s, ServerFields server, String serverKey) {
        server.host = fields.string(s, prefix, "host");
        server.hostGiven = s.has("host");
        server.port = port(s, prefix);
        server.adminLogin = fields.string(s, prefix, "adminLogin");
        server.password = passwords.password(s, prefix, "password", serverKey);
        server.sslMode = fields.enumValue(s, prefix, "sslMode", SslMode.class);
        server.type = fields.enumValue(s, prefix, "type", SourceServerType.class);
        server.fqdn = fields.string(s, prefix, "fullyQualifiedDomainName");
    }

    /** The managed service's {@code host:port@user}; an IPv6 host is written in brackets. */
    private void parseResourceId(String field, JsonNode node, ServerFields server) {
        String rule = "must be host:port@user, such as \"10.0.0.4:5432@postgres\"";
        if (!node.isTextual()) {
            fields.wrongType(field, node, rule);
            return;
        }
        String id = node.asText().trim();
        if (id.startsWith("/subscriptions/")) {
            fields.problem(field, id, "is an Azure resource id; pgmigrate connects directly, so give host:port@user, "
                    + "such as \"10.0.0.4:5432@postgres\"");
            return;
        }
        int at = id.lastIndexOf('@');
        String address = at < 0 ? id : id.substring(0, at);
        if (at < 0 || at == id.length() - 1) {
            fields.problem(field, id, "names no user; " + rule);
            return;
        }
        server.adminLogin = id.substring(at + 1);
        int colon = address.lastIndexOf(':');
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            colon = close < 0 ? -1 : address.indexOf(':', close);
            server.host = close < 0 ? address : address.substring(1, close);
        } else {
            server.host = colon < 0 ? address : address.substring(0, colon);
        }
        server.hostGiven = true;
        if (colon < 0) {
            server.port = ServerSpec.DEFAULT_PORT;
        } else {
            String port = address.substring(colon + 1);
            try {
                server.port = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                fields.problem(field, id, "the port '" + port + "' is not a number; " + rule);
                server.port = ServerSpec.DEFAULT_PORT;
            }
        }
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

    private ServerSpec build(String prefix, ServerFields s) {
        if (!s.hostGiven) {
            fields.problem(prefix + ".host", MISSING, "give the server's host name or IP address");
        }
        if (s.adminLogin == null) {
            fields.problem(prefix + ".adminLogin", MISSING, "give the login pgmigrate connects as, such as "
                    + "\"postgres\"");
        }
        if (!s.hostGiven || s.adminLogin == null || s.host == null) {
            return null;
        }
        SslMode ssl = s.sslMode != null ? s.sslMode : SslMode.PREFER;
        SourceServerType type = s.type != null ? s.type : SourceServerType.ON_PREMISES;
        List<SpecProblem> found = ServerSpec.problems(prefix, s.host, s.port, s.adminLogin, ssl, type, s.fqdn);
        if (!found.isEmpty()) {
            fields.addProblems(found);
            return null;
        }
        return ServerSpec.builder().host(s.host).port(s.port).adminLogin(s.adminLogin).password(s.password)
                .sslMode(ssl).type(type).fullyQualifiedDomainName(s.fqdn).build();
    }

    /** One server's fields while they are gathered from the places a file may give them. */
    private static final class ServerFields {
        String host;
        boolean hostGiven;
        int port = ServerSpec.DEFAULT_PORT;
        String adminLogin;
        Secret password;
        SslMode sslMode;
        SourceServerType type;
        String fqdn;
    }
}
