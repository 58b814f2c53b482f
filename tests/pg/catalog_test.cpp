#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/store/catalog.hpp>
#include <schemagate/store/pg_store.hpp>
#include <schemagate/util/error.hpp>

#include <support/test_database.hpp>

namespace schemagate {
namespace {

using store::PgCatalog;
using store::SchemaSnapshot;
using testing::TestDatabase;

std::vector<std::string> lines(const SchemaSnapshot& s) {
    std::vector<std::string> out;
    for (const auto& o : s.objects) {
        out.push_back(o.line());
    }
    return out;
}

std::string dump(const SchemaSnapshot& s) {
    std::string out;
    for (const auto& line : lines(s)) {
        out += "  " + line + "\n";
    }
    return out;
}

bool has_line(const SchemaSnapshot& s, const std::string& line) {
    const auto all = lines(s);
    return std::find(all.begin(), all.end(), line) != all.end();
}

bool mentions(const SchemaSnapshot& s, const std::string& text) {
    return std::any_of(s.objects.begin(), s.objects.end(), [&](const store::CatalogObject& o) {
        return o.line().find(text) != std::string::npos;
    });
}

const char* const k_objects = R"sql(
CREATE SCHEMA shop;
CREATE TYPE shop.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN shop.positive AS integer NOT NULL CHECK (VALUE > 0);
CREATE TYPE shop.pair AS (a integer, b text);
CREATE SEQUENCE shop.ticket_seq START 100 INCREMENT 5;
CREATE TABLE shop.items (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name     text NOT NULL DEFAULT 'unnamed',
    qty      shop.positive,
    mood     shop.mood,
    price    numeric(10, 2) CONSTRAINT items_price_check CHECK (price >= 0),
    total    numeric GENERATED ALWAYS AS (price * 2) STORED
);
CREATE UNIQUE INDEX items_name_key ON shop.items (lower(name)) WHERE qty > 1;
CREATE TABLE shop.orders (id serial PRIMARY KEY, item_id bigint REFERENCES shop.items (id));
CREATE VIEW shop.cheap AS SELECT id, name FROM shop.items WHERE price < 10;
CREATE MATERIALIZED VIEW shop.counts AS SELECT count(*) AS n FROM shop.items;
CREATE FUNCTION shop.double(x integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT x * 2 $$;
CREATE PROCEDURE shop.noop() LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER items_touch BEFORE UPDATE ON shop.items FOR EACH ROW EXECUTE FUNCTION shop.touch();
ALTER TABLE shop.items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_cheap ON shop.items FOR SELECT USING (price < 100);
CREATE RULE orders_no_delete AS ON DELETE TO shop.orders DO INSTEAD NOTHING;
CREATE STATISTICS shop.items_stats ON name, price FROM shop.items;
COMMENT ON TABLE shop.items IS 'things we sell';
COMMENT ON COLUMN shop.items.name IS 'what it is called';
)sql";

const char* const k_drop_objects = R"sql(
DROP SCHEMA shop CASCADE;
)sql";

TEST(Catalog, EmptyDatabaseHoldsThePublicSchemaAndPlpgsqlOnly) {
    TestDatabase db;
    PgCatalog catalog(db.conninfo(), {});
    const auto s = catalog.snapshot();
    std::vector<std::string> keys;
    for (const auto& o : s.objects) {
        keys.push_back(o.key);
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"comment on schema public", "extension plpgsql",
                                              "schema public"}))
        << dump(s);
}

TEST(Catalog, LeavesOutTheHistoryTablesAndWhatBelongsToThem) {
    TestDatabase db;
    store::PgStore store(db.conninfo(), {});
    store.ensure_tables();
    PgCatalog catalog(db.conninfo(), {});
    const auto s = catalog.snapshot();
    EXPECT_FALSE(mentions(s, "schemagate_history")) << dump(s);
    EXPECT_EQ(s.objects.size(), 3U) << dump(s);
    EXPECT_TRUE(catalog.user_relations().empty());
}

TEST(Catalog, LeavesOutAHistoryTableInItsOwnSchemaButKeepsTheSchema) {
    TestDatabase db;
    const store::HistoryTable table{"ops", "Migrations"};
    store::PgStore store(db.conninfo(), table);
    store.ensure_tables();
    PgCatalog catalog(db.conninfo(), table);
    const auto s = catalog.snapshot();
    EXPECT_TRUE(has_line(s, "schema ops")) << dump(s);
    EXPECT_FALSE(mentions(s, "Migrations")) << dump(s);
    EXPECT_TRUE(catalog.user_relations().empty());
}

TEST(Catalog, DescribesEveryKindOfObject) {
    TestDatabase db;
    db.exec(k_objects);
    PgCatalog catalog(db.conninfo(), {});
    const auto s = catalog.snapshot();
    const std::vector<std::string> expected = {
        "schema shop",
        "enum shop.mood: ('sad', 'ok', 'happy')",
        "domain shop.positive: integer not null",
        "constraint shop.positive.positive_check: on domain CHECK (VALUE > 0)",
        "composite type shop.pair: (a integer, b text)",
        "sequence shop.ticket_seq: bigint start 100 increment 5 min 1 max 9223372036854775807 "
        "cache 1",
        "sequence shop.items_id_seq: bigint start 1 increment 1 min 1 max 9223372036854775807 "
        "cache 1 identity of shop.items.id",
        "sequence shop.orders_id_seq: integer start 1 increment 1 min 1 max 2147483647 cache 1 "
        "owned by shop.orders.id",
        "table shop.items: row level security",
        "column shop.items.id: bigint not null generated always as identity position 1",
        "column shop.items.name: text not null default 'unnamed'::text position 2",
        "column shop.items.qty: shop.positive position 3",
        "column shop.items.mood: shop.mood position 4",
        "column shop.items.price: numeric(10,2) position 5",
        "column shop.items.total: numeric generated always as ((price * (2)::numeric)) stored "
        "position 6",
        "constraint shop.items.items_price_check: CHECK (price >= 0::numeric)",
        "constraint shop.items.items_pkey: PRIMARY KEY (id)",
        "constraint shop.orders.orders_item_id_fkey: FOREIGN KEY (item_id) REFERENCES "
        "shop.items(id)",
        "index shop.items_name_key: CREATE UNIQUE INDEX items_name_key ON shop.items USING btree "
        "(lower(name)) WHERE ((qty)::integer > 1)",
        "index shop.items_pkey: CREATE UNIQUE INDEX items_pkey ON shop.items USING btree (id)",
        "view shop.cheap: as SELECT items.id, items.name FROM shop.items WHERE items.price < "
        "10::numeric;",
        "materialized view shop.counts: as SELECT count(*) AS n FROM shop.items;",
        "procedure shop.noop(): language plpgsql definition md5 ",
        "trigger shop.items.items_touch: CREATE TRIGGER items_touch BEFORE UPDATE ON shop.items "
        "FOR EACH ROW EXECUTE FUNCTION shop.touch()",
        "policy shop.items.items_cheap: permissive for select to public using ((price < "
        "(100)::numeric))",
        "rule shop.orders.orders_no_delete: CREATE RULE orders_no_delete AS ON DELETE TO "
        "shop.orders DO INSTEAD NOTHING;",
        "statistics shop.items_stats: CREATE STATISTICS shop.items_stats ON name, price FROM "
        "shop.items",
        "comment on table shop.items: 'things we sell'",
        "comment on table column shop.items.name: 'what it is called'",
    };
    for (const auto& line : expected) {
        if (line.ends_with("md5 ")) {
            EXPECT_TRUE(mentions(s, line)) << line << "\nnot in:\n" << dump(s);
        } else {
            EXPECT_TRUE(has_line(s, line)) << line << "\nnot in:\n" << dump(s);
        }
    }
    EXPECT_TRUE(mentions(s, "function shop.double(x integer): returns integer language sql "
                            "immutable strict definition md5 "))
        << dump(s);
    EXPECT_EQ(catalog.user_relations(),
              (std::vector<std::string>{"shop.cheap", "shop.counts", "shop.items", "shop.orders"}));
}

TEST(Catalog, SnapshotIsTheSameAfterDroppingAndRecreatingEverything) {
    TestDatabase db;
    db.exec(k_objects);
    PgCatalog catalog(db.conninfo(), {});
    const auto first = catalog.snapshot();
    db.exec(k_drop_objects);
    db.exec(k_objects);
    const auto second = catalog.snapshot();
    EXPECT_EQ(store::diff_snapshots(first, second), std::vector<std::string>{});
}

TEST(Catalog, SnapshotIgnoresData) {
    TestDatabase db;
    db.exec(k_objects);
    PgCatalog catalog(db.conninfo(), {});
    const auto before = catalog.snapshot();
    db.exec("INSERT INTO shop.items (name, qty, price) VALUES ('a', 2, 1), ('b', 3, 4); "
            "SELECT nextval('shop.ticket_seq'); REFRESH MATERIALIZED VIEW shop.counts");
    EXPECT_EQ(store::diff_snapshots(before, catalog.snapshot()), std::vector<std::string>{});
}

TEST(Catalog, EnumLabelOrderIsPartOfTheSchema) {
    TestDatabase db;
    db.exec("CREATE TYPE mood AS ENUM ('sad', 'happy')");
    PgCatalog catalog(db.conninfo(), {});
    const auto before = catalog.snapshot();
    db.exec("ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy'");
    EXPECT_EQ(store::diff_snapshots(before, catalog.snapshot()),
              (std::vector<std::string>{"- enum public.mood: ('sad', 'happy')",
                                        "+ enum public.mood: ('sad', 'ok', 'happy')"}));
}

TEST(Catalog, ColumnDefaultAndNullabilityChangesShowAsChangedLines) {
    TestDatabase db;
    db.exec("CREATE TABLE t (a integer)");
    PgCatalog catalog(db.conninfo(), {});
    const auto before = catalog.snapshot();
    db.exec("ALTER TABLE t ALTER COLUMN a SET DEFAULT 7, ALTER COLUMN a SET NOT NULL");
    EXPECT_EQ(store::diff_snapshots(before, catalog.snapshot()),
              (std::vector<std::string>{"- column public.t.a: integer position 1",
                                        "+ column public.t.a: integer not null default 7 "
                                        "position 1"}));
}

TEST(Catalog, FunctionBodyChangesChangeTheDefinitionHash) {
    TestDatabase db;
    db.exec("CREATE FUNCTION f() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$");
    PgCatalog catalog(db.conninfo(), {});
    const auto before = catalog.snapshot();
    db.exec("CREATE OR REPLACE FUNCTION f() RETURNS integer LANGUAGE sql AS $$ SELECT 2 $$");
    const auto diff = store::diff_snapshots(before, catalog.snapshot());
    ASSERT_EQ(diff.size(), 2U);
    EXPECT_TRUE(diff[0].starts_with("- function public.f(): returns integer language sql "));
    EXPECT_TRUE(diff[1].starts_with("+ function public.f(): returns integer language sql "));
}

TEST(Catalog, InvalidIndexIsMarked) {
    TestDatabase db;
    db.exec("CREATE TABLE t (a integer); CREATE INDEX t_a_idx ON t (a); "
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 't_a_idx'::regclass");
    PgCatalog catalog(db.conninfo(), {});
    EXPECT_TRUE(has_line(catalog.snapshot(), "index public.t_a_idx: CREATE INDEX t_a_idx ON "
                                             "public.t USING btree (a) (INVALID)"));
}

TEST(Catalog, ExtensionMembersAreDescribedByTheExtensionAlone) {
    TestDatabase db;
    if (db.query_value("SELECT count(*) FROM pg_available_extensions WHERE name = 'citext'") !=
        "1") {
        GTEST_SKIP() << "the citext extension is not installed";
    }
    PgCatalog catalog(db.conninfo(), {});
    const auto before = catalog.snapshot();
    db.exec("CREATE EXTENSION citext");
    const auto diff = store::diff_snapshots(before, catalog.snapshot());
    ASSERT_EQ(diff.size(), 1U) << ::testing::PrintToString(diff);
    EXPECT_TRUE(diff[0].starts_with("+ extension citext: version ")) << diff[0];
}

TEST(Catalog, PrivilegesArePartOfTheSchema) {
    TestDatabase db;
    db.exec("CREATE TABLE t (a integer)");
    PgCatalog catalog(db.conninfo(), {});
    const auto before = catalog.snapshot();
    db.exec("GRANT SELECT ON t TO PUBLIC");
    const auto diff = store::diff_snapshots(before, catalog.snapshot());
    ASSERT_EQ(diff.size(), 2U) << ::testing::PrintToString(diff);
    EXPECT_EQ(diff[0], "- table public.t");
    EXPECT_TRUE(diff[1].starts_with("+ table public.t: privileges {")) << diff[1];
}

TEST(ScratchDatabase, IsCreatedAndDroppedAgain) {
    TestDatabase server;
    std::string name;
    {
        store::ScratchDatabase scratch(server.conninfo(), "sg_scratch_test_");
        name = scratch.name();
        EXPECT_TRUE(name.starts_with("sg_scratch_test_")) << name;
        EXPECT_EQ(
            server.query_value("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'"),
            "1");
        // Still connected when it goes away: WITH (FORCE) ends the session.
        PgCatalog catalog(scratch.conninfo(), {});
        EXPECT_EQ(catalog.snapshot().objects.size(), 3U);
    }
    EXPECT_EQ(server.query_value("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'"),
              "0");
}

TEST(ScratchDatabase, WithoutCreatedbIsAUsageErrorThatSuggestsScratchUrl) {
    TestDatabase db;
    const std::string role = "sg_nocreatedb_" + db.name().substr(9);
    db.exec("CREATE ROLE " + role + " LOGIN PASSWORD 'pw-nocreatedb'");
    const std::string url = db.url();
    const auto at = url.find('@');
    const std::string role_url = "postgresql://" + role + ":pw-nocreatedb" + url.substr(at);
    try {
        store::ScratchDatabase scratch(store::Conninfo::parse(role_url));
        ADD_FAILURE() << "expected UsageError";
    } catch (const UsageError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("--scratch-url"), std::string::npos) << what;
        EXPECT_NE(what.find("permission denied"), std::string::npos) << what;
        EXPECT_EQ(what.find("pw-nocreatedb"), std::string::npos) << what;
    }
    db.exec("DROP ROLE " + role);
}

} // namespace
} // namespace schemagate
