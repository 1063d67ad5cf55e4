package dev.pgmigrate.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgmigrate.api.ServerSpec;
import dev.pgmigrate.api.SourceServerType;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the ways the managed service names a server: {@code sourceDbServerResourceId} as {@code host:port@user} or
 * as the Azure resource id of a single or flexible server, and its CLI's target server as {@code HOST[:PORT]}.
 */
final class PropertiesAddresses {
    /** Where an Azure Database for PostgreSQL server answers, by its name. */
    static final String AZURE_DOMAIN = ".postgres.database.azure.com";
    private static final Pattern AZURE_SERVER = Pattern.compile(
            "/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.DBforPostgreSQL/(servers|flexibleServers)"
                    + "/([A-Za-z0-9-]+)/?", Pattern.CASE_INSENSITIVE);
    private static final String RESOURCE_ID_RULE = "must be host:port@user, such as \"10.0.0.4:5432@postgres\", or "
            + "the Azure resource id of a PostgreSQL single or flexible server";

    private final PropertiesFieldReader fields;

    PropertiesAddresses(PropertiesFieldReader fields) {
        this.fields = fields;
    }

    /**
     * A server's address, as a file or the command line gave it.
     *
     * @param login the user named with it, or {@code null}
     * @param type the server type an Azure resource id implies, or {@code null}
     */
    record Address(String host, int port, boolean portGiven, String login, SourceServerType type) {
        /** {@code host:port} as people read it. */
        String shown() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** The managed service's {@code sourceDbServerResourceId}; {@code null} (and a problem) when it is at fault. */
    Address resourceId(String field, JsonNode node) {
        if (!node.isTextual()) {
            fields.wrongType(field, node, RESOURCE_ID_RULE);
            return null;
        }
        String id = node.asText().trim();
        if (id.startsWith("/")) {
            Matcher azure = AZURE_SERVER.matcher(id);
            if (!azure.matches()) {
                fields.problem(field, id, "is an Azure resource id, but not of a PostgreSQL single or flexible server;"
                        + " pgmigrate connects directly, so give host:port@user, such as \"10.0.0.4:5432@postgres\"");
                return null;
            }
            boolean single = azure.group(1).equalsIgnoreCase("servers");
            return new Address(azure.group(2).toLowerCase(Locale.ROOT) + AZURE_DOMAIN, ServerSpec.DEFAULT_PORT, false,
                    null, single ? SourceServerType.POSTGRESQL_SINGLE_SERVER
                            : SourceServerType.POSTGRESQL_FLEXIBLE_SERVER);
        }
        int at = id.lastIndexOf('@');
        if (at < 0 || at == id.length() - 1) {
            fields.problem(field, id, "names no user; " + RESOURCE_ID_RULE);
            return null;
        }
        return hostAndPort(field, id.substring(0, at), RESOURCE_ID_RULE)
                .map(a -> new Address(a.host(), a.port(), a.portGiven(), id.substring(at + 1), null)).orElse(null);
    }

    /**
     * {@code HOST[:PORT]}, an IPv6 host in brackets, as the command line names the target; empty (and a problem on
     * {@code field}) when it is at fault.
     */
    Optional<Address> hostAndPort(String field, String text, String rule) {
        String address = text.trim();
        String host;
        int colon;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0) {
                fields.problem(field, text, "an IPv6 address opened with '[' is not closed with ']'; " + rule);
                return Optional.empty();
            }
            host = address.substring(1, close);
            colon = address.indexOf(':', close);
        } else {
            colon = address.indexOf(':') == address.lastIndexOf(':') ? address.indexOf(':') : -1;
            host = colon < 0 ? address : address.substring(0, colon);
        }
        if (host.isBlank()) {
            fields.problem(field, text, "names no host; " + rule);
            return Optional.empty();
        }
        if (colon < 0) {
            return Optional.of(new Address(host, ServerSpec.DEFAULT_PORT, false, null, null));
        }
        String port = address.substring(colon + 1);
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            fields.problem(field, text, "the port '" + port + "' is not a number between 1 and 65535; " + rule);
            return Optional.empty();
        }
        return Optional.of(new Address(host, Integer.parseInt(port), true, null, null));
    }
}
