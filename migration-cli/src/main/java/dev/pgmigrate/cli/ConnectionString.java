package dev.pgmigrate.cli;

import dev.pgmigrate.api.InvalidSpecException;
import dev.pgmigrate.api.SourceServerType;
import dev.pgmigrate.api.SpecProblem;
import dev.pgmigrate.api.SslMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A server given on the command line as libpq takes it: a URI, {@code postgresql://user@host:5432/dbname?sslmode=
 * require}, or keywords, {@code host=... port=... user=... sslmode=...}. Never a password: a command line shows in
 * {@code ps} and the shell's history, so one is refused, with where to put it instead, and never repeated.
 *
 * @param host the host name or address ({@code host})
 * @param hostaddr the address to connect to instead of resolving {@code host}, if given ({@code hostaddr})
 * @param port the port, 5432 unless given
 * @param user the login: {@code user}, else {@code PGUSER}, else the operating system's login, as libpq's default
 * @param database the database it names ({@code dbname}), if any
 * @param sslMode the TLS mode, {@code prefer} unless given
 */
record ConnectionString(String host, Optional<String> hostaddr, int port, String user, Optional<String> database,
        SslMode sslMode) {
    private static final List<String> KEYS = List.of("host", "hostaddr", "port", "user", "dbname", "sslmode");
    /** libpq parameters a properties file takes under another name. */
    private static final Map<String, String> IN_PROPERTIES = Map.of("connect_timeout",
            "settings.connectTimeoutSeconds", "sslrootcert", "the option ssl.rootCert (settings.options)");
    private static final String WHERE_PASSWORDS_GO = "a command line shows in ps and in the shell's history, so "
            + "pgmigrate takes no password there. Remove it, and give it with PGPASSWORD, a ~/.pgpass entry (or "
            + "the file PGPASSFILE names), or a properties file's {\"env\": ...} or {\"file\": ...}";

    /**
     * Parses {@code text}, given as option {@code option} (such as {@code --source}).
     *
     * @throws InvalidSpecException naming the option, the part at fault and the fix; a password is never shown
     */
    static ConnectionString parse(String option, String text) {
        Map<String, String> values = new LinkedHashMap<>();
        List<SpecProblem> problems = new ArrayList<>();
        String trimmed = text.trim();
        boolean uri = trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://");
        // A URI read only up to a password or a broken host: its host is unknown, not missing.
        boolean read = true;
        if (uri) {
            read = readUri(option, trimmed, values, problems);
        } else if (trimmed.contains("=")) {
            readKeywords(option, trimmed, values, problems);
        } else {
            // Not repeated: it may be a URI without its scheme, password and all.
            problems.add(new SpecProblem(option, "(" + trimmed.length() + " characters, not shown)", "is neither a "
                    + "URI nor keywords: write postgresql://user@host:5432 or 'host=... port=... user=...'"));
        }
        String shown = values.containsKey("password") ? "(not shown: it holds a password)" : uri ? trimmed
                : "(keywords)";
        if (values.containsKey("password")) {
            problems.add(new SpecProblem(option, shown, "holds a password: " + WHERE_PASSWORDS_GO));
        }
        values.keySet().stream().filter(k -> !KEYS.contains(k) && !k.equals("password")).forEach(k -> problems.add(
                new SpecProblem(option, k, "pgmigrate does not take this connection parameter here; it takes: "
                        + String.join(", ", KEYS) + " (" + Optional.ofNullable(IN_PROPERTIES.get(k))
                        .map(p -> "this one is " + p + " in a properties file")
                        .orElse("settings such as ssl.rootCert go in a properties file") + ")")));
        String host = values.get("host");
        if (!read) {
            throw new InvalidSpecException("the command line", problems);
        } else if (host == null || host.isBlank()) {
            problems.add(new SpecProblem(option, shown, "names no host: write postgresql://user@HOST:5432 or "
                    + "host=HOST"));
        } else if (host.contains(",")) {
            problems.add(new SpecProblem(option, host, "names several hosts; give the one server to migrate"));
        } else if (host.startsWith("/")) {
            problems.add(new SpecProblem(option, host, "is a Unix socket directory; pgmigrate connects over TCP: "
                    + "give a host name or address"));
        }
        int port = 5432;
        String portText = values.get("port");
        if (portText != null) {
            try {
                port = Integer.parseInt(portText.trim());
            } catch (NumberFormatException e) {
                problems.add(new SpecProblem(option, portText, "the port must be a number, such as 5432"));
            }
        }
        SslMode sslMode = SslMode.PREFER;
        if (values.containsKey("sslmode")) {
            try {
                sslMode = SslMode.fromLabel(values.get("sslmode"));
            } catch (IllegalArgumentException e) {
                problems.add(new SpecProblem(option, values.get("sslmode"), "sslmode must be one of disable, "
                        + "prefer, require, verify-ca, verify-full"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException("the command line", problems);
        }
        String user = values.getOrDefault("user", Optional.ofNullable(System.getenv("PGUSER"))
                .orElse(System.getProperty("user.name")));
        return new ConnectionString(host, Optional.ofNullable(values.get("hostaddr")), port, user,
                Optional.ofNullable(values.get("dbname")).filter(d -> !d.isEmpty()), sslMode);
    }

    /** A server type given as {@code --source-type}, by its label. */
    static SourceServerType type(String option, String label) {
        try {
            return SourceServerType.fromLabel(label);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("the command line", List.of(new SpecProblem(option, label,
                    e.getMessage())));
        }
    }

    /**
     * Reads a URI into {@code values}; false when it stopped early (at a password in the user info, or an unclosed
     * IPv6 bracket), reading nothing after: then the problem already says what is wrong, and the host is unknown.
     */
    private static boolean readUri(String option, String text, Map<String, String> values,
            List<SpecProblem> problems) {
        String rest = text.substring(text.indexOf("://") + 3);
        int firstAt = rest.indexOf('@');
        if (firstAt >= 0) {
            String before = rest.substring(0, firstAt);
            // user:password@..., whatever '/', '?' or '#' the password holds (a host:port before a path or query
            // whose parameters hold an '@' is no password): nothing of it is read, nor shown in a problem.
            if (before.contains(":") && !before.matches("[^:/?#]*:\\d*([/?#].*)?")) {
                values.put("password", "");
                return false;
            }
        }
        int query = rest.indexOf('?');
        String params = query < 0 ? "" : rest.substring(query + 1);
        rest = query < 0 ? rest : rest.substring(0, query);
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            values.put("dbname", decode(rest.substring(slash + 1)));
            rest = rest.substring(0, slash);
        }
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                values.put("password", "");
            }
            String user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo);
            if (!user.isEmpty()) {
                values.put("user", user);
            }
            rest = rest.substring(at + 1);
        }
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                problems.add(new SpecProblem(option, "[" + rest, "an IPv6 address in brackets is not closed: "
                        + "postgresql://user@[::1]:5432"));
                return false;
            }
            values.put("host", rest.substring(1, close));
            if (rest.length() > close + 1 && rest.charAt(close + 1) == ':') {
                values.put("port", rest.substring(close + 2));
            }
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon >= 0) {
                values.put("port", rest.substring(colon + 1));
                rest = rest.substring(0, colon);
            }
            if (!rest.isEmpty()) {
                values.put("host", decode(rest));
            }
        }
        for (String pair : params.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            values.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return true;
    }

    /** libpq's keyword form: {@code key = value} pairs apart by spaces; a value in single quotes, {@code \'}. */
    private static void readKeywords(String option, String text, Map<String, String> values,
            List<SpecProblem> problems) {
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            int keyStart = i;
            while (i < text.length() && text.charAt(i) != '=' && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            String key = text.substring(keyStart, i);
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (key.isEmpty() || i >= text.length() || text.charAt(i) != '=') {
                if (!key.isEmpty()) {
                    problems.add(new SpecProblem(option, key.equals("password") ? "password" : key, "a keyword needs "
                            + "a value: key=value, such as host=10.0.0.4"));
                }
                return;
            }
            i++;
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < text.length() && text.charAt(i) == '\'') {
                i++;
                while (i < text.length() && text.charAt(i) != '\'') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                if (i >= text.length()) {
                    problems.add(new SpecProblem(option, key, "its value's single quote is not closed"));
                    return;
                }
                i++;
            } else {
                while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
            }
            values.put(key, value.toString());
        }
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
