package dev.pgmigrate.core.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgmigrate.api.spi.CopyColumn;
import dev.pgmigrate.core.internal.pg.SourceCatalog;
import dev.pgmigrate.core.internal.schema.DumpScript.Entry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The post-data plan from a pg_dump script, without a server: what is built per table, what waits, in which order. */
class PostDataPlanTest {
    private static final String SCRIPT = """
            SET statement_timeout = 0;

            --
            -- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: app
            --

            ALTER TABLE ONLY "public"."orders"
                ADD CONSTRAINT "orders_pkey" PRIMARY KEY ("id");

            --
            -- Name: orders_note; Type: INDEX; Schema: public; Owner: app
            --

            CREATE INDEX "orders_note" ON "public"."orders" USING "btree" ("note");

            --
            -- Name: orders_stats; Type: STATISTICS; Schema: public; Owner: app
            --

            CREATE STATISTICS "public"."orders_stats" ON "id", "note" FROM "public"."orders";

            --
            -- Name: log_ddl; Type: EVENT TRIGGER; Schema: -; Owner: postgres
            --

            CREATE EVENT TRIGGER "log_ddl" ON "ddl_command_end" EXECUTE FUNCTION "public"."log_ddl"();

            --
            -- Name: orders orders_customer_fkey; Type: FK CONSTRAINT; Schema: public; Owner: app
            --

            ALTER TABLE ONLY "public"."orders"
                ADD CONSTRAINT "orders_customer_fkey" FOREIGN KEY ("customer") REFERENCES "public"."customer"("id");

            --
            -- Name: orders; Type: ROW SECURITY; Schema: public; Owner: app
            --

            ALTER TABLE "public"."orders" ENABLE ROW LEVEL SECURITY;

            --
            -- Name: totals; Type: MATERIALIZED VIEW DATA; Schema: public; Owner: app
            --

            REFRESH MATERIALIZED VIEW "public"."totals";
            """;

    private static final long ORDERS = 16385;

    private static SourceCatalog catalog() {
        SourceCatalog catalog = new SourceCatalog();
        catalog.tables.put(ORDERS, new SourceCatalog.Table(ORDERS, "public", "orders", 'r', 8192,
                List.of(new CopyColumn("id", "integer", true), new CopyColumn("note", "text", true)),
                Optional.of("id")));
        catalog.indexOwners.put(SourceCatalog.key("public", "orders_note"), ORDERS);
        catalog.statisticsOwners.put(SourceCatalog.key("public", "orders_stats"), ORDERS);
        catalog.constraintOwners.put(SourceCatalog.key("public", "orders", "orders_pkey"), ORDERS);
        catalog.constraintOwners.put(SourceCatalog.key("public", "orders", "orders_customer_fkey"), ORDERS);
        catalog.keyConstraints.put(SourceCatalog.key("public", "orders", "orders_pkey"), new SourceCatalog.KeyConstraint(
                "public", "orders", "orders_pkey", 'p', "CREATE UNIQUE INDEX orders_pkey ON public.orders (id)", false,
                false));
        catalog.rowSecurity.add(ORDERS);
        return catalog;
    }

    @Test
    void aTablesIndexesKeysAndStatisticsAreBuiltWithItAndTheRestFollowsWithEventTriggersLast() {
        PostDataPlan plan = PostDataPlan.of(DumpScript.parse(SCRIPT).entries(), catalog(), false);

        assertThat(plan.indexes().get(ORDERS)).extracting(Entry::tag).containsExactly("orders orders_pkey",
                "orders_note");
        assertThat(plan.indexes().get(ORDERS).get(0).statements()).as("a key is built as a unique index first")
                .containsExactly("CREATE UNIQUE INDEX orders_pkey ON public.orders (id)");
        assertThat(plan.constraints().get(ORDERS).get(0).statements()).containsExactly(
                "ALTER TABLE ONLY \"public\".\"orders\" ADD CONSTRAINT \"orders_pkey\" PRIMARY KEY USING INDEX "
                        + "\"orders_pkey\"");
        assertThat(plan.statistics().get(ORDERS)).extracting(Entry::tag).containsExactly("orders_stats");
        assertThat(plan.rest()).extracting(Entry::type).containsExactly("FK CONSTRAINT", "ROW SECURITY",
                "MATERIALIZED VIEW DATA", "EVENT TRIGGER");
        assertThat(plan.mayWriteTablesLate()).as("a refresh runs functions that may write any table").isTrue();
    }

    @Test
    void rowSecurityIsLeftForAfterTheVerificationWhenTheTargetAdminIsNoSuperuser() {
        PostDataPlan plan = PostDataPlan.of(DumpScript.parse(SCRIPT).entries(), catalog(), true);

        assertThat(plan.rest()).extracting(Entry::type).containsExactly("FK CONSTRAINT", "MATERIALIZED VIEW DATA",
                "EVENT TRIGGER");
    }

    @Test
    void entriesOfTablesTheCatalogDoesNotKnowStayInOrder() {
        SourceCatalog empty = new SourceCatalog();
        List<Entry> entries = DumpScript.parse(SCRIPT).entries();

        PostDataPlan plan = PostDataPlan.of(entries, empty, true);

        assertThat(plan.indexes()).isEmpty();
        assertThat(plan.rest()).extracting(Entry::type).containsExactly("CONSTRAINT", "INDEX", "STATISTICS",
                "FK CONSTRAINT", "ROW SECURITY", "MATERIALIZED VIEW DATA", "EVENT TRIGGER");
    }
}
