#include <algorithm>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/lint/lint.hpp>
#include <schemagate/lint/sql_tokens.hpp>
#include <schemagate/migration/migration.hpp>
#include <schemagate/migration/parser.hpp>

namespace schemagate::lint {
namespace {

using migration::Migration;
using Ids = std::vector<std::string>;

// A migration file "db/002_x.sql": `-- parents: base`, the header lines, a blank line, then the
// up marker on line 3 + (header lines), so the first up line is file line 4 + (header lines).
Migration parse(std::string_view up, std::string_view header = "",
                std::optional<std::string_view> down = std::nullopt) {
    std::string text =
        "-- parents: base\n" + std::string(header) + "\n-- migrate:up\n" + std::string(up) + "\n";
    if (down) {
        text += "-- migrate:down\n" + std::string(*down) + "\n";
    }
    auto parsed = migration::parse_migration("db/002_x.sql", text);
    if (!parsed) {
        ADD_FAILURE() << "unexpected diagnostics: " << parsed.error().front().message;
        return {};
    }
    return *parsed;
}

Ids ids(const std::vector<Finding>& findings) {
    Ids out;
    for (const auto& f : findings) {
        out.push_back(f.rule);
    }
    return out;
}

Ids lint_up(std::string_view up, std::string_view header = "") {
    return ids(lint_migration(parse(up, header)));
}

std::vector<Finding> findings_of(std::string_view up, std::string_view header = "") {
    return lint_migration(parse(up, header));
}

constexpr std::string_view k_none = "-- transaction: none\n";

// --- the token scanner ---

TEST(LintTokens, FoldsKeywordsAndKeepsQuotedIdentifiers) {
    const auto t = tokenize("CREATE Index \"MyIdx\" ON \"a\"\"b\"");
    ASSERT_EQ(t.size(), 5u);
    EXPECT_EQ(t[0].text, "create");
    EXPECT_EQ(t[1].text, "index");
    EXPECT_EQ(t[2].kind, TokenKind::quoted_identifier);
    EXPECT_EQ(t[2].text, "MyIdx");
    EXPECT_EQ(t[4].text, "a\"b");
}

TEST(LintTokens, SkipsCommentsAndKeepsStringsWhole) {
    const auto t = tokenize("a /* b /* nested */ c */ -- d\n'e '' f' E'g\\' h' $x$ i $y$ j $x$ k");
    std::vector<std::string> texts;
    for (const auto& tok : t) {
        texts.push_back(tok.text);
    }
    EXPECT_EQ(texts,
              (std::vector<std::string>{"a", "'e '' f'", "E'g\\' h'", "$x$ i $y$ j $x$", "k"}));
    EXPECT_EQ(t[1].kind, TokenKind::string);
    EXPECT_EQ(t[2].kind, TokenKind::string);
    EXPECT_EQ(t[3].kind, TokenKind::dollar_string);
}

TEST(LintTokens, CountsLinesAndTellsParametersFromDollarQuotes) {
    const auto t = tokenize("a\n\n$1 $$x\ny$$ b");
    ASSERT_EQ(t.size(), 4u);
    EXPECT_EQ(t[1].kind, TokenKind::parameter);
    EXPECT_EQ(t[1].line, 3u);
    EXPECT_EQ(t[2].kind, TokenKind::dollar_string);
    EXPECT_EQ(t[3].line, 4u);
}

// --- where findings point, and how they print ---

TEST(Lint, FindingNamesTheFileLineOfTheStatementItsRevisionAndSection) {
    const auto f = findings_of("SELECT 1;\n\nCREATE INDEX i\n  ON t (x);");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].file, "db/002_x.sql");
    EXPECT_EQ(f[0].line, 6u); // marker on line 3, statement on section line 3
    EXPECT_EQ(f[0].revision, "002");
    EXPECT_EQ(f[0].section, "up");
    EXPECT_EQ(f[0].severity, Severity::error);
}

TEST(Lint, FormatIsPathLineRuleSeverityMessageAndHint) {
    Finding f{"SG106", Severity::warning, "002", "db/002_x.sql", 7, "up", "dropping", "wait"};
    EXPECT_EQ(format(f), "db/002_x.sql:7: SG106 warning: dropping (wait)");
    f.line = 0;
    EXPECT_EQ(format(f), "db/002_x.sql: SG106 warning: dropping (wait)");
}

TEST(Lint, RuleIdsAreUniqueAndFoundCaseInsensitively) {
    ASSERT_NE(find_rule("sg101"), nullptr);
    EXPECT_EQ(find_rule("sg101")->id, "SG101");
    EXPECT_EQ(find_rule("SG199"), nullptr);
    for (std::size_t i = 1; i < rules().size(); ++i) {
        EXPECT_LT(rules()[i - 1].id, rules()[i].id);
    }
}

TEST(Lint, SafeMigrationHasNoFindings) {
    EXPECT_EQ(lint_up("CREATE TABLE t (id bigint PRIMARY KEY, x text NOT NULL);\n"
                      "CREATE INDEX t_x_idx ON t (x);\n"
                      "ALTER TABLE t ADD COLUMN y int NOT NULL;\n"
                      "INSERT INTO t VALUES (1, 'a', 2);\n"
                      "ALTER TABLE u ADD COLUMN z text;\n"
                      "ALTER TABLE u ADD COLUMN w int NOT NULL DEFAULT 0;"),
              Ids{});
}

// --- SG101: index without CONCURRENTLY ---

TEST(LintSG101, CreateIndexOnExistingTable) {
    EXPECT_EQ(lint_up("CREATE INDEX i ON t (x);"), Ids{"SG101"});
    EXPECT_EQ(lint_up("create unique index if not exists i on public.t using btree (x);"),
              Ids{"SG101"});
    EXPECT_EQ(lint_up("CREATE INDEX ON t (x);"), Ids{"SG101"});
}

TEST(LintSG101, MessageNamesTheTable) {
    const auto f = findings_of("CREATE INDEX i ON app.\"Orders\" (x);");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_NE(f[0].message.find("app.Orders"), std::string::npos) << f[0].message;
    EXPECT_NE(f[0].hint.find("CONCURRENTLY"), std::string::npos) << f[0].hint;
}

TEST(LintSG101, ConcurrentlyInNonTransactionalFileIsFine) {
    EXPECT_EQ(lint_up("CREATE INDEX CONCURRENTLY i ON t (x);", k_none), Ids{});
}

TEST(LintSG101, TableCreatedEarlierInTheSameFileIsExempt) {
    EXPECT_EQ(lint_up("CREATE TABLE IF NOT EXISTS app.t (x int);\nCREATE INDEX i ON app.t (x);"),
              Ids{});
    EXPECT_EQ(lint_up("CREATE UNLOGGED TABLE t (x int);\nCREATE INDEX i ON public.t (x);"), Ids{});
    EXPECT_EQ(lint_up("CREATE TABLE \"T\" (x int);\nCREATE INDEX i ON \"T\" (x);"), Ids{});
    EXPECT_EQ(lint_up("CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x;\nCREATE INDEX i ON mv (x);"),
              Ids{});
}

TEST(LintSG101, TableCreatedLaterOrWithAnotherNameOrSchemaIsExisting) {
    EXPECT_EQ(lint_up("CREATE INDEX i ON t (x);\nCREATE TABLE t (x int);"), Ids{"SG101"});
    EXPECT_EQ(lint_up("CREATE TABLE \"T\" (x int);\nCREATE INDEX i ON t (x);"), Ids{"SG101"});
    EXPECT_EQ(lint_up("CREATE TABLE a.t (x int);\nCREATE INDEX i ON b.t (x);"), Ids{"SG101"});
}

TEST(LintSG101, OnOnlyBuildsNothingOnAPartitionedParent) {
    EXPECT_EQ(lint_up("CREATE INDEX i ON ONLY measurements (x);"), Ids{});
}

TEST(LintSG101, QuotedConcurrentlyIsAnIndexNameNotTheKeyword) {
    EXPECT_EQ(lint_up("CREATE INDEX \"concurrently\" ON t (x);"), Ids{"SG101"});
}

TEST(LintSG101, KeywordsInStringsCommentsAndBodiesDoNotTrigger) {
    EXPECT_EQ(lint_up("-- CREATE INDEX i ON t (x);\n"
                      "/* CREATE INDEX i ON t (x); /* nested */ ALTER TABLE t DROP COLUMN x; */\n"
                      "INSERT INTO notes VALUES ('CREATE INDEX i ON t (x); VACUUM');\n"
                      "INSERT INTO notes VALUES (E'it\\'s; CREATE INDEX i ON t (x)');\n"
                      "COMMENT ON TABLE t IS $c$ALTER TABLE t RENAME TO u; COMMIT$c$;\n"
                      "SELECT \"create index\" FROM \"vacuum\";\n"
                      "DO $$ BEGIN EXECUTE 'CREATE INDEX i ON t (x)'; COMMIT; END $$;"),
              Ids{});
}

TEST(LintSG101, UniqueOrPrimaryKeyConstraintBuildsAnIndex) {
    EXPECT_EQ(lint_up("ALTER TABLE t ADD CONSTRAINT t_x_key UNIQUE (x);"), Ids{"SG101"});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD PRIMARY KEY (id);"), Ids{"SG101"});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD CONSTRAINT t_x_key UNIQUE USING INDEX t_x_idx;"), Ids{});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN x int UNIQUE;"), Ids{"SG101"});
}

// --- SG102: NOT NULL without a default ---

TEST(LintSG102, AddColumnNotNullWithoutDefault) {
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN x int NOT NULL;"), Ids{"SG102"});
    EXPECT_EQ(lint_up("ALTER TABLE IF EXISTS ONLY t ADD x int CONSTRAINT nn NOT NULL;"),
              Ids{"SG102"});
}

TEST(LintSG102, DefaultOrNullableOrNewTableIsFine) {
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN x int NOT NULL DEFAULT 0;"), Ids{});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN x timestamptz DEFAULT now() NOT NULL;"), Ids{});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN x int;"), Ids{});
    EXPECT_EQ(lint_up("CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN x int NOT NULL;"), Ids{});
}

TEST(LintSG102, NotNullInsideACheckIsNotAColumnConstraint) {
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN x int CHECK (x IS NOT NULL);"), Ids{"SG104"});
}

TEST(LintSG102, SetNotNullScansTheTable) {
    EXPECT_EQ(lint_up("ALTER TABLE t ALTER COLUMN x SET NOT NULL;"), Ids{"SG102"});
    EXPECT_EQ(lint_up("ALTER TABLE t ALTER COLUMN x DROP NOT NULL;"), Ids{});
}

// --- SG103: table rewrites ---

TEST(LintSG103, TypeChangeRewritesTheTable) {
    EXPECT_EQ(lint_up("ALTER TABLE t ALTER COLUMN x TYPE bigint;"), Ids{"SG103"});
    EXPECT_EQ(lint_up("ALTER TABLE t ALTER x SET DATA TYPE numeric(12, 2);"), Ids{"SG103"});
    EXPECT_EQ(lint_up("ALTER TABLE t ALTER COLUMN x TYPE text USING x::text;"), Ids{"SG103"});
}

TEST(LintSG103, MessageNamesColumnAndNewType) {
    const auto f = findings_of("ALTER TABLE t ALTER x SET DATA TYPE numeric(12, 2) USING x;");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_NE(f[0].message.find("t.x to numeric(12, 2) rewrites"), std::string::npos)
        << f[0].message;
}

TEST(LintSG103, VarcharWideningsAreExempt) {
    EXPECT_EQ(lint_up("ALTER TABLE t ALTER COLUMN x TYPE text;"), Ids{});
    EXPECT_EQ(lint_up("ALTER TABLE t ALTER COLUMN x TYPE varchar(200);"), Ids{});
    EXPECT_EQ(lint_up("ALTER TABLE t ALTER COLUMN x SET DATA TYPE character varying;"), Ids{});
}

TEST(LintSG103, VolatileDefaultSerialAndIdentityRewriteTheTable) {
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN u uuid NOT NULL DEFAULT gen_random_uuid();"),
              Ids{"SG103"});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN n bigserial;"), Ids{"SG103"});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN n int GENERATED ALWAYS AS IDENTITY;"),
              Ids{"SG103"});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN n int GENERATED ALWAYS AS (a + 1) STORED;"),
              Ids{"SG103"});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now();"), Ids{});
}

TEST(LintSG103, NewTableIsExempt) {
    EXPECT_EQ(lint_up("CREATE TABLE t (x int);\nALTER TABLE t ALTER COLUMN x TYPE bigint;"), Ids{});
}

// --- SG104: constraints without NOT VALID ---

TEST(LintSG104, ForeignKeyAndCheckWithoutNotValid) {
    EXPECT_EQ(lint_up("ALTER TABLE t ADD CONSTRAINT t_p_fk FOREIGN KEY (p) REFERENCES p (id);"),
              Ids{"SG104"});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD FOREIGN KEY (p) REFERENCES p (id) ON DELETE CASCADE;"),
              Ids{"SG104"});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD CONSTRAINT t_x_check CHECK (x > 0);"), Ids{"SG104"});
}

TEST(LintSG104, NotValidAndValidateAreFine) {
    EXPECT_EQ(
        lint_up("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (p) REFERENCES p (id) NOT VALID;"),
        Ids{});
    EXPECT_EQ(lint_up("ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID;"), Ids{});
    EXPECT_EQ(lint_up("ALTER TABLE t VALIDATE CONSTRAINT c;"), Ids{});
}

TEST(LintSG104, NotValidInsideTheCheckExpressionDoesNotCount) {
    EXPECT_EQ(lint_up("ALTER TABLE t ADD CONSTRAINT c CHECK (x <> 'not valid');"), Ids{"SG104"});
}

TEST(LintSG104, InlineReferencesInAddColumn) {
    const auto f = findings_of("ALTER TABLE guild_members\n    ADD COLUMN rank_id bigint "
                               "REFERENCES guild_ranks (id);");
    ASSERT_EQ(ids(f), Ids{"SG104"});
    EXPECT_NE(f[0].message.find("guild_members.rank_id"), std::string::npos) << f[0].message;
}

TEST(LintSG104, NewTableIsExempt) {
    EXPECT_EQ(lint_up("CREATE TABLE t (p int);\n"
                      "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (p) REFERENCES p (id);"),
              Ids{});
}

// --- SG105: renames ---

TEST(LintSG105, ColumnAndTableRenames) {
    EXPECT_EQ(lint_up("ALTER TABLE t RENAME COLUMN a TO b;"), Ids{"SG105"});
    EXPECT_EQ(lint_up("ALTER TABLE t RENAME a TO b;"), Ids{"SG105"});
    EXPECT_EQ(lint_up("ALTER TABLE t RENAME TO u;"), Ids{"SG105"});
    EXPECT_EQ(find_rule("SG105")->severity, Severity::error);
}

TEST(LintSG105, ConstraintRenameAndNewTablesAreFine) {
    EXPECT_EQ(lint_up("ALTER TABLE t RENAME CONSTRAINT a TO b;"), Ids{});
    EXPECT_EQ(lint_up("CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;"), Ids{});
}

TEST(LintSG105, ANewTableRenamedStaysNew) {
    EXPECT_EQ(lint_up("CREATE TABLE t_tmp (a int);\nALTER TABLE t_tmp RENAME TO t;\n"
                      "CREATE INDEX i ON t (a);"),
              Ids{});
}

// --- SG106: drops ---

TEST(LintSG106, DropColumnAndTableAreWarnings) {
    const auto f = findings_of("ALTER TABLE t DROP COLUMN IF EXISTS x CASCADE;\nDROP TABLE a, b;");
    EXPECT_EQ(ids(f), (Ids{"SG106", "SG106", "SG106"}));
    for (const auto& finding : f) {
        EXPECT_EQ(finding.severity, Severity::warning);
    }
    EXPECT_NE(f[2].message.find("table b"), std::string::npos) << f[2].message;
}

TEST(LintSG106, DroppingConstraintsOrNewTablesIsFine) {
    EXPECT_EQ(lint_up("ALTER TABLE t DROP CONSTRAINT c;"), Ids{});
    EXPECT_EQ(lint_up("ALTER TABLE t ALTER COLUMN x DROP DEFAULT;"), Ids{});
    EXPECT_EQ(lint_up("CREATE TABLE tmp (x int);\nDROP TABLE IF EXISTS tmp;"), Ids{});
}

TEST(Lint, SeveralActionsInOneAlterTableAreEachChecked) {
    EXPECT_EQ(lint_up("ALTER TABLE t ADD COLUMN a numeric(10, 2) NOT NULL, DROP COLUMN b, "
                      "ALTER COLUMN c TYPE int;"),
              (Ids{"SG102", "SG106", "SG103"}));
}

// --- SG107: statements that cannot run in a transaction ---

struct TxnCase {
    std::string name;
    std::string sql;
    bool flagged;
};

void PrintTo(const TxnCase& c, std::ostream* os) {
    *os << c.sql;
}

class LintSG107 : public testing::TestWithParam<TxnCase> {};

TEST_P(LintSG107, InATransactionalFile) {
    const auto& c = GetParam();
    const auto found = lint_migration(parse(c.sql));
    const bool flagged =
        std::any_of(found.begin(), found.end(), [](const Finding& f) { return f.rule == "SG107"; });
    EXPECT_EQ(flagged, c.flagged) << c.sql;
}

INSTANTIATE_TEST_SUITE_P(
    Statements, LintSG107,
    testing::Values(
        TxnCase{"create_index_concurrently", "CREATE UNIQUE INDEX CONCURRENTLY i ON t (x);", true},
        TxnCase{"drop_index_concurrently", "DROP INDEX CONCURRENTLY IF EXISTS i;", true},
        TxnCase{"reindex_concurrently", "REINDEX INDEX CONCURRENTLY i;", true},
        TxnCase{"reindex_option_concurrently", "REINDEX (CONCURRENTLY) TABLE t;", true},
        TxnCase{"reindex_database", "REINDEX DATABASE app;", true},
        TxnCase{"reindex_table", "REINDEX TABLE t;", false},
        TxnCase{"vacuum", "VACUUM (ANALYZE) t;", true}, TxnCase{"analyze", "ANALYZE t;", false},
        TxnCase{"create_database", "CREATE DATABASE other;", true},
        TxnCase{"drop_database", "DROP DATABASE other;", true},
        TxnCase{"create_tablespace", "CREATE TABLESPACE ts LOCATION '/x';", true},
        TxnCase{"alter_system", "ALTER SYSTEM SET work_mem = '64MB';", true},
        TxnCase{"alter_database_tablespace", "ALTER DATABASE app SET TABLESPACE ts;", true},
        TxnCase{"alter_database_setting", "ALTER DATABASE app SET work_mem = '64MB';", false},
        TxnCase{"detach_concurrently", "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;", true},
        TxnCase{"detach", "ALTER TABLE p DETACH PARTITION p1;", false},
        TxnCase{"cluster_all", "CLUSTER VERBOSE;", true},
        TxnCase{"cluster_table", "CLUSTER t USING t_pkey;", false},
        TxnCase{"discard_all", "DISCARD ALL;", true},
        TxnCase{"create_subscription", "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p;",
                true},
        TxnCase{"create_subscription_no_slot",
                "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p WITH (create_slot = "
                "false);",
                false},
        TxnCase{"alter_type_add_value", "ALTER TYPE mood ADD VALUE 'meh';", false},
        TxnCase{"commit", "UPDATE t SET x = 1;\nCOMMIT;", true},
        TxnCase{"begin", "BEGIN;\nUPDATE t SET x = 1;", true},
        TxnCase{"start_transaction", "START TRANSACTION ISOLATION LEVEL SERIALIZABLE;", true},
        TxnCase{"rollback", "ROLLBACK;", true},
        TxnCase{"rollback_to_savepoint", "SAVEPOINT s;\nROLLBACK TO SAVEPOINT s;", false},
        TxnCase{"plpgsql_begin_end",
                "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$;",
                false},
        TxnCase{"begin_atomic",
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;", false}),
    [](const testing::TestParamInfo<TxnCase>& p) { return p.param.name; });

TEST(LintSG107Rule, IsAnErrorAndReplacesSG101ForConcurrentIndexes) {
    const auto f = findings_of("CREATE INDEX CONCURRENTLY i ON t (x);");
    ASSERT_EQ(ids(f), Ids{"SG107"});
    EXPECT_EQ(f[0].severity, Severity::error);
    EXPECT_NE(f[0].hint.find("transaction: none"), std::string::npos) << f[0].hint;
}

TEST(LintSG107Rule, NonTransactionalFileMayUseThem) {
    EXPECT_EQ(lint_up("CREATE INDEX CONCURRENTLY i ON t (x);\nVACUUM t;", k_none), Ids{});
}

TEST(LintSG107Rule, DownSectionIsCheckedForItButNotForTheOtherRules) {
    const auto m = parse("CREATE TABLE t (x int);", "",
                         "DROP INDEX CONCURRENTLY i;\nDROP TABLE t;\nALTER TABLE u RENAME TO v;");
    const auto f = lint_migration(m);
    ASSERT_EQ(ids(f), Ids{"SG107"});
    EXPECT_EQ(f[0].section, "down");
    EXPECT_EQ(f[0].line, 6u); // up marker on line 3, up SQL on 4, down marker on 5
}

// --- SG109: transaction control in a transaction: none file ---

TEST(LintSG109Rule, TransactionControlInATransactionNoneFileIsAnError) {
    EXPECT_EQ(lint_up("BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (x);", k_none), Ids{"SG109"});
    EXPECT_EQ(lint_up("CREATE INDEX CONCURRENTLY i ON t (x);\nCOMMIT;", k_none), Ids{"SG109"});
    EXPECT_EQ(lint_up("START TRANSACTION;", k_none), Ids{"SG109"});
}

TEST(LintSG109Rule, PlpgsqlBlocksAndSavepointsAreNotTransactionControl) {
    EXPECT_EQ(lint_up("DO $$ BEGIN PERFORM 1; END $$;\nVACUUM t;", k_none), Ids{});
}

TEST(LintSG109Rule, CannotBeDisabled) {
    const auto f = ids(lint_migration(
        parse("BEGIN;\nVACUUM t;", std::string(k_none) + "-- lint-disable: SG109\n")));
    EXPECT_EQ(f, (Ids{"SG100", "SG109"}));
}

TEST(LintWaitsWithoutBlocking, OnlyTheConcurrentlyFormsAndNotTheWordInAString) {
    EXPECT_TRUE(waits_without_blocking("CREATE UNIQUE INDEX CONCURRENTLY i ON t (x)"));
    EXPECT_TRUE(waits_without_blocking("drop index concurrently i"));
    EXPECT_TRUE(waits_without_blocking("REFRESH MATERIALIZED VIEW CONCURRENTLY mv"));
    EXPECT_FALSE(waits_without_blocking("CREATE INDEX i ON t (x)"));
    EXPECT_FALSE(waits_without_blocking("COMMENT ON TABLE t IS 'built concurrently'"));
    EXPECT_FALSE(waits_without_blocking("ALTER TABLE t ADD COLUMN \"concurrently\" int"));
}

TEST(LintConcurrentIndex, NamesTheIndexAsSqlOrNothingWhenItCannotTell) {
    using Kind = migration::ConcurrentIndex::Kind;
    auto named = [](std::string_view sql) {
        const auto found = concurrent_index(sql);
        return found ? (found->kind == Kind::create ? "create " : "drop ") + found->name
                     : std::string("none");
    };
    EXPECT_EQ(named("CREATE INDEX CONCURRENTLY items_name_idx ON items (name)"),
              "create items_name_idx");
    EXPECT_EQ(named("create unique index concurrently if not exists app.I ON app.t (x)"),
              "create app.i");
    EXPECT_EQ(named("CREATE INDEX CONCURRENTLY \"Mixed\"\"Case\" ON t (x)"),
              "create \"Mixed\"\"Case\"");
    EXPECT_EQ(named("DROP INDEX CONCURRENTLY IF EXISTS app.i CASCADE"), "drop app.i");
    EXPECT_EQ(named("CREATE INDEX CONCURRENTLY ON t (x)"), "none");
    EXPECT_EQ(named("DROP INDEX CONCURRENTLY a, b"), "none");
    EXPECT_EQ(named("CREATE INDEX i ON t (x)"), "none");
}

// --- SG108: unsplittable sections ---

// parse_migration refuses a section that does not split, so such a migration can only come
// from text swapped in after parsing: `up` must parse with the byte at `at` replaced by `byte`,
// and SG108 stays as lint's own guard.
std::vector<Finding> findings_of_broken(std::string up, std::size_t at, char byte,
                                        std::string_view header = "") {
    Migration m = parse(up, header);
    up[at] = byte;
    m.hold_text("-- parents: base\n" + std::string(header) + "\n-- migrate:up\n" + up + "\n");
    return lint_migration(m);
}

TEST(LintSG108, UnterminatedStringIsReportedWithItsLine) {
    const auto f = findings_of_broken("SELECT 1;\nSELECT 'oops';", 22, ' ');
    ASSERT_EQ(ids(f), Ids{"SG108"});
    EXPECT_EQ(f[0].line, 5u);
    EXPECT_NE(f[0].message.find("unterminated"), std::string::npos) << f[0].message;
}

// --- lint-disable ---

TEST(LintDisable, TurnsOffTheNamedRulesForTheFileOnly) {
    const std::string up = "CREATE INDEX i ON t (x);\nALTER TABLE t DROP COLUMN y;\n"
                           "ALTER TABLE t RENAME a TO b;";
    EXPECT_EQ(lint_up(up, "-- lint-disable: SG101, sg106\n"), Ids{"SG105"});
    EXPECT_EQ(lint_up(up), (Ids{"SG101", "SG106", "SG105"}));
}

TEST(LintDisable, UnknownRuleIdIsAnErrorNamingIt) {
    const auto f = findings_of("CREATE INDEX i ON t (x);", "-- lint-disable: SG1O1\n");
    ASSERT_EQ(ids(f), (Ids{"SG100", "SG101"}));
    EXPECT_EQ(f[0].severity, Severity::error);
    EXPECT_EQ(f[0].line, 0u);
    EXPECT_NE(f[0].message.find("'SG1O1'"), std::string::npos) << f[0].message;
}

TEST(LintDisable, AlwaysOnRulesCannotBeDisabled) {
    const auto f = findings_of_broken("SELECT 'x';", 9, ' ', "-- lint-disable: SG108, SG100\n");
    EXPECT_EQ(ids(f), (Ids{"SG100", "SG100", "SG108"}));
}

TEST(Lint, LintMigrationsKeepsTheGivenOrder) {
    const Migration a = parse("DROP TABLE a;");
    Migration b = parse("CREATE INDEX i ON b (x);");
    b.id = "003";
    const auto f = lint_migrations({&b, &a});
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].revision, "003");
    EXPECT_EQ(f[1].revision, "002");
    EXPECT_EQ(count(f, Severity::error), 1u);
    EXPECT_EQ(count(f, Severity::warning), 1u);
}

} // namespace
} // namespace schemagate::lint
