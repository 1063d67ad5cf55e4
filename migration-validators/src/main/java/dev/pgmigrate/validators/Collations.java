package dev.pgmigrate.validators;

import dev.pgmigrate.api.spi.DatabaseFact;
import dev.pgmigrate.api.spi.ServerFacts;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Collations and locales as the catalogs of PostgreSQL 9.6 to 18 hold them: {@code collprovider} from 10,
 * {@code colliculocale} in 15 and 16, {@code colllocale} from 17, {@code datlocprovider} from 15.
 */
final class Collations {
    /** One collation: its provider ({@code c} libc, {@code i} ICU, {@code b} builtin) and locale. */
    record Collation(String schema, String name, String provider, String locale, Optional<String> version) {
        String qualifiedName() {
            return schema + "." + name;
        }

        boolean isTrivial() {
            String normal = normalize(locale);
            return normal.equals("c") || normal.equals("posix");
        }
    }

    /** The database's own locale, read from {@code pg_database}. */
    record DatabaseLocale(String encoding, String collate, String ctype, String provider, Optional<String> locale,
            Optional<String> version) {
    }

    private Collations() {
    }

    /**
     * An ICU locale without its keywords: {@code und-u-ks-level2} is {@code und}, {@code de-DE-u-co-phonebk} is
     * {@code de-DE}, {@code en@colStrength=secondary} is {@code en}; private-use ({@code -x-}) and other extensions
     * go too.
     */
    static String icuBaseLocale(String locale) {
        if (locale == null) {
            return "";
        }
        String base = locale;
        int at = base.indexOf('@');
        if (at >= 0) {
            base = base.substring(0, at);
        }
        String[] parts = base.split("[-_]");
        StringBuilder kept = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            // A single-letter subtag after the language starts an extension (u, t, x, ...): the rest is keywords.
            if (i > 0 && parts[i].length() == 1) {
                break;
            }
            kept.append(i == 0 ? "" : "-").append(parts[i]);
        }
        return kept.toString();
    }

    /** {@code en_US.UTF-8} and {@code en_US.utf8} are one locale: lower case, without {@code - _ .}. */
    static String normalize(String locale) {
        if (locale == null) {
            return "";
        }
        // By hand, not replaceAll: it runs for every collation the target has, twice per database.
        StringBuilder normal = new StringBuilder(locale.length());
        for (char c : locale.toLowerCase(Locale.ROOT).toCharArray()) {
            if (c != '-' && c != '_' && c != '.' && c != '@') {
                normal.append(c);
            }
        }
        return normal.toString();
    }

    /** The SQL expression of a {@code pg_collation} row's locale on a server of {@code versionNum}. */
    static String localeExpression(int versionNum, String alias) {
        if (versionNum >= 170000) {
            return "coalesce(" + alias + ".colllocale, " + alias + ".collcollate)";
        }
        if (versionNum >= 150000) {
            return "CASE " + alias + ".collprovider WHEN 'i' THEN " + alias + ".colliculocale ELSE " + alias
                    + ".collcollate END";
        }
        return alias + ".collcollate";
    }

    static String providerExpression(int versionNum, String alias) {
        return versionNum >= 100000 ? alias + ".collprovider::text" : "'c'";
    }

    /** The database's encoding, locale and provider, read on any connection to its server. */
    static Optional<DatabaseLocale> databaseLocale(Connection connection, ServerFacts facts, String database)
            throws SQLException {
        int v = facts.versionNum();
        String provider = v >= 150000 ? "d.datlocprovider::text" : "'c'";
        String locale = v >= 170000 ? "d.datlocale" : v >= 150000 ? "d.daticulocale" : "NULL";
        String version = v >= 150000 ? "d.datcollversion" : "NULL";
        List<DatabaseLocale> rows = Sql.list(connection, "SELECT pg_encoding_to_char(d.encoding), d.datcollate,"
                + " d.datctype, " + provider + ", " + locale + ", " + version + " FROM pg_database d WHERE d.datname = ?",
                rs -> new DatabaseLocale(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        Optional.ofNullable(rs.getString(5)), Optional.ofNullable(rs.getString(6))), database);
        return rows.stream().findFirst();
    }

    /**
     * {@link #used} as a fact of each database, read once for {@code collations-in-use} and
     * {@code collation-versions}.
     */
    static final DatabaseFact<List<Collation>> USED = DatabaseFact.of("collations used",
            (connection, source) -> List.copyOf(used(connection, source)));

    /** The collations columns, indexes and domains of the connected database use, and those it defines. */
    static List<Collation> used(Connection connection, ServerFacts facts) throws SQLException {
        int v = facts.versionNum();
        String userRel = " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + Sql.USER_SCHEMA;
        // Columns and indexes without a collation (0) or with the default one (100) are left out before the joins,
        // as are initdb's relations (a user schema holds none): about half the time in a database of 2,000 tables.
        String noneOrDefault = " NOT IN (0, 100)";
        return Sql.list(connection, "WITH used AS ("
                + "SELECT a.attcollation AS coll FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid" + userRel
                + " AND a.attnum > 0 AND NOT a.attisdropped AND a.attcollation" + noneOrDefault + " AND a.attrelid >= "
                + Sql.FIRST_USER_OID
                + " UNION SELECT i.coll FROM (SELECT i.indexrelid, unnest(i.indcollation::oid[]) AS coll"
                + " FROM pg_index i WHERE i.indexrelid >= " + Sql.FIRST_USER_OID + ") i JOIN pg_class c ON c.oid = i.indexrelid"
                + userRel + " AND i.coll" + noneOrDefault
                + " UNION SELECT t.typcollation FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE "
                + Sql.USER_SCHEMA + " AND t.typtype = 'd'"
                + " UNION SELECT co.oid FROM pg_collation co WHERE co.oid >= " + Sql.FIRST_USER_OID + " AND "
                + Sql.notExtensionMember("pg_collation", "co")
                + ") SELECT n.nspname, co.collname, " + providerExpression(v, "co") + ", " + localeExpression(v, "co")
                + ", " + (v >= 100000 ? "co.collversion" : "NULL") + " FROM pg_collation co"
                + " JOIN pg_namespace n ON n.oid = co.collnamespace JOIN used u ON u.coll = co.oid"
                + " WHERE co.oid <> 100 ORDER BY 1, 2",
                rs -> new Collation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        Optional.ofNullable(rs.getString(5))));
    }

    /** What the target offers, read once per validation. */
    static final DatabaseFact<Offer> OFFER = DatabaseFact.of("the target's collations and locales", Offer::read);

    /**
     * What the target offers: its collations by name, and its locales by provider. Not changed once read: the
     * validators of every database share one.
     */
    static final class Offer {
        private final Set<String> names = new HashSet<>();
        private final Set<String> locales = new HashSet<>();
        private final Map<String, String> versions = new HashMap<>();
        private final int versionNum;
        private boolean icu;

        private Offer(int versionNum) {
            this.versionNum = versionNum;
        }

        static Offer read(Connection target, ServerFacts facts) throws SQLException {
            int v = facts.versionNum();
            Offer offer = new Offer(v);
            for (String[] row : Sql.list(target, "SELECT n.nspname || '.' || co.collname, "
                    + providerExpression(v, "co") + ", " + localeExpression(v, "co") + ", "
                    + (v >= 100000 ? "co.collversion" : "NULL") + " FROM pg_collation co"
                    + " JOIN pg_namespace n ON n.oid = co.collnamespace WHERE co.collencoding IN (-1,"
                    + " (SELECT encoding FROM pg_database WHERE datname = current_database()))",
                    rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)})) {
                offer.names.add(row[0]);
                offer.locales.add(row[1] + ":" + normalize(row[2]));
                offer.icu |= "i".equals(row[1]);
                if (row[3] != null) {
                    offer.versions.putIfAbsent(row[1] + ":" + normalize(row[2]), row[3]);
                    offer.versions.put(row[0], row[3]);
                }
            }
            for (String[] row : Sql.list(target, "SELECT datcollate, datctype FROM pg_database", rs -> new String[] {rs.getString(1), rs.getString(2)})) {
                offer.locales.add("c:" + normalize(row[0]));
                offer.locales.add("c:" + normalize(row[1]));
            }
            offer.locales.add("c:c");
            offer.locales.add("c:posix");
            if (v >= 170000) {
                offer.locales.add("b:c");
                offer.locales.add("b:cutf8");
                offer.locales.add("b:pgcutf8");
                offer.locales.add("b:pgunicodefast");
            }
            if (offer.icu) {
                offer.locales.add("i:und");
                offer.locales.add("i:root");
                offer.locales.add("i:");
            }
            return offer;
        }

        boolean hasIcu() {
            return icu;
        }

        int versionNum() {
            return versionNum;
        }

        boolean hasName(String qualifiedName) {
            return names.contains(qualifiedName);
        }

        /**
         * Whether the provider offers this locale; {@code d} (database default) counts as libc. An ICU locale may
         * carry keywords ({@code und-u-ks-level2}, {@code de-DE-u-co-phonebk}, {@code en@colStrength=secondary}):
         * ICU applies them to any of its locales, so the locale without them is what must exist.
         */
        boolean hasLocale(String provider, String locale) {
            String p = "d".equals(provider) ? "c" : provider;
            if (locales.contains(p + ":" + normalize(locale))) {
                return true;
            }
            return "i".equals(p) && icu && locales.contains("i:" + normalize(icuBaseLocale(locale)));
        }

        /** The version the target records for a collation of this name, or else of this provider and locale. */
        Optional<String> version(String qualifiedName, String provider, String locale) {
            return Optional.ofNullable(versions.getOrDefault(qualifiedName, versions.get(provider + ":"
                    + normalize(locale))));
        }
    }
}
