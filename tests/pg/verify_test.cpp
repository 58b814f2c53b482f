#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/migration/graph.hpp>
#include <schemagate/migration/loader.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/runner/verify.hpp>
#include <schemagate/store/catalog.hpp>
#include <schemagate/store/pg_store.hpp>
#include <schemagate/util/error.hpp>

#include <support/test_database.hpp>

namespace schemagate {
namespace {

using runner::BaseOutcome;
using runner::RevisionOutcome;
using runner::VerifyReport;
using testing::fixture_graph;
using testing::TestDatabase;

migration::RevisionGraph load(const std::filesystem::path& dir) {
    return migration::RevisionGraph(migration::load_migrations({dir}));
}

VerifyReport run_verify(const TestDatabase& db, const migration::RevisionGraph& graph) {
    store::PgStore store(db.conninfo(), {});
    store::PgCatalog catalog(db.conninfo(), {});
    return runner::verify(graph, store, catalog, {{}, "verify-test"});
}

std::vector<RevisionOutcome> outcomes(const VerifyReport& r) {
    std::vector<RevisionOutcome> out;
    for (const auto& v : r.revisions) {
        out.push_back(v.outcome);
    }
    return out;
}

bool diff_has(const runner::VerifyProblem& p, const std::string& line_start) {
    return std::any_of(p.diff.begin(), p.diff.end(),
                       [&](const std::string& l) { return l.starts_with(line_start); });
}

std::string describe(const VerifyReport& r) {
    std::string out;
    for (const auto& v : r.revisions) {
        out += v.revision + " " + runner::to_string(v.outcome) + "\n";
        for (const auto& p : v.problems) {
            out += "  " + p.summary + "\n";
            for (const auto& l : p.diff) {
                out += "    " + l + "\n";
            }
        }
    }
    out += "base " + runner::to_string(r.base) + "\n";
    for (const auto& p : r.base_problems) {
        out += "  " + p.summary + "\n";
        for (const auto& l : p.diff) {
            out += "    " + l + "\n";
        }
    }
    return out;
}

TEST(Verify, SampleProjectIsReversibleAndEndsAtBase) {
    TestDatabase db;
    const auto report = run_verify(db, load(testing::source_dir() / "migrations"));
    EXPECT_EQ(outcomes(report), std::vector<RevisionOutcome>(8, RevisionOutcome::reversible))
        << describe(report);
    EXPECT_EQ(report.base, BaseOutcome::clean) << describe(report);
    EXPECT_EQ(report.exit_code(), ExitCode::success);
    // Only the (empty) history tables remain, with every step in the audit log: 3 per
    // revision, then the 8 downgrades of `downgrade base`.
    EXPECT_EQ(db.query_value("SELECT count(*) FROM schemagate_history"), "0");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND "
                             "tablename NOT LIKE 'schemagate_history%'"),
              "0");
    EXPECT_EQ(db.query_value("SELECT count(*) FROM schemagate_history_log WHERE outcome = "
                             "'succeeded'"),
              "32");
}

TEST(Verify, CatchesDownSectionsThatLeaveAnIndexAndAFunctionBehind) {
    TestDatabase db;
    const auto report = run_verify(db, fixture_graph("verify_broken_down"));
    EXPECT_EQ(outcomes(report), (std::vector<RevisionOutcome>{
                                    RevisionOutcome::reversible, RevisionOutcome::not_reversible,
                                    RevisionOutcome::not_reversible, RevisionOutcome::reversible}))
        << describe(report);
    EXPECT_EQ(report.not_reversible(), (std::vector<std::string>{"002", "003"}));
    ASSERT_EQ(report.revisions[1].problems.size(), 1U) << describe(report);
    EXPECT_EQ(report.revisions[1].problems[0].diff,
              std::vector<std::string>{"+ index public.items_name_idx: CREATE INDEX "
                                       "items_name_idx ON public.items USING btree (name)"});
    ASSERT_EQ(report.revisions[2].problems.size(), 1U) << describe(report);
    ASSERT_EQ(report.revisions[2].problems[0].diff.size(), 1U) << describe(report);
    EXPECT_TRUE(diff_has(report.revisions[2].problems[0],
                         "+ function public.price_with_tax(price numeric): returns numeric"))
        << describe(report);
    // The index goes with the table at base; the function stays.
    EXPECT_EQ(report.base, BaseOutcome::leftovers);
    ASSERT_EQ(report.base_problems.size(), 1U) << describe(report);
    ASSERT_EQ(report.base_problems[0].diff.size(), 1U) << describe(report);
    EXPECT_TRUE(diff_has(report.base_problems[0], "+ function public.price_with_tax("));
    EXPECT_EQ(report.exit_code(), ExitCode::integrity);
}

TEST(Verify, StopsWhenTheUpSectionFailsAgainAfterABrokenDown) {
    TestDatabase db;
    const auto report = run_verify(db, fixture_graph("verify_reup_fails"));
    EXPECT_EQ(outcomes(report), (std::vector<RevisionOutcome>{RevisionOutcome::reversible,
                                                              RevisionOutcome::not_reversible,
                                                              RevisionOutcome::not_reached}))
        << describe(report);
    const auto& problems = report.revisions[1].problems;
    ASSERT_EQ(problems.size(), 2U) << describe(report);
    EXPECT_EQ(problems[0].diff, std::vector<std::string>{"+ column public.orders.quantity: "
                                                         "integer not null default 1 position 3"});
    EXPECT_NE(problems[1].summary.find("fails when run again"), std::string::npos);
    EXPECT_NE(problems[1].summary.find("002_add_orders_quantity.sql:5:"), std::string::npos)
        << problems[1].summary;
    EXPECT_EQ(report.base, BaseOutcome::not_reached);
    EXPECT_EQ(report.exit_code(), ExitCode::integrity);
}

TEST(Verify, SkipsIrreversibleRevisionsAndTheBaseCheckWithoutFailing) {
    TestDatabase db;
    const auto report = run_verify(db, fixture_graph("irreversible"));
    EXPECT_EQ(outcomes(report),
              (std::vector<RevisionOutcome>{RevisionOutcome::reversible, RevisionOutcome::skipped,
                                            RevisionOutcome::reversible}))
        << describe(report);
    EXPECT_EQ(report.irreversible, std::vector<std::string>{"002"});
    EXPECT_EQ(report.base, BaseOutcome::skipped);
    EXPECT_EQ(report.exit_code(), ExitCode::success);
}

TEST(Verify, ChecksNonTransactionalRevisions) {
    TestDatabase db;
    const auto report = run_verify(db, fixture_graph("concurrent_index"));
    EXPECT_EQ(outcomes(report), std::vector<RevisionOutcome>(2, RevisionOutcome::reversible))
        << describe(report);
    EXPECT_EQ(report.base, BaseOutcome::clean) << describe(report);
}

TEST(Verify, AnUpSectionThatFailsIsExit1AndStops) {
    TestDatabase db;
    const auto report = run_verify(db, fixture_graph("bad_sql_error"));
    EXPECT_EQ(outcomes(report),
              (std::vector<RevisionOutcome>{RevisionOutcome::reversible, RevisionOutcome::failed,
                                            RevisionOutcome::not_reached}))
        << describe(report);
    ASSERT_EQ(report.revisions[1].problems.size(), 1U);
    EXPECT_NE(report.revisions[1].problems[0].summary.find("002_t2.sql:11:"), std::string::npos)
        << report.revisions[1].problems[0].summary;
    EXPECT_EQ(report.base, BaseOutcome::not_reached);
    EXPECT_EQ(report.exit_code(), ExitCode::migration_failed);
}

TEST(Verify, RefusesADatabaseThatAlreadyRecordsRevisions) {
    TestDatabase db;
    const auto graph = fixture_graph("irreversible");
    store::PgStore store(db.conninfo(), {});
    store.ensure_tables();
    store.run_step(runner::prepare_step(graph.at("001"), migration::Direction::up), "someone");
    store::PgCatalog catalog(db.conninfo(), {});
    EXPECT_THROW(runner::verify(graph, store, catalog, {}), UsageError);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM schemagate_history"), "1");
}

TEST(Verify, CanRunTwiceOnTheSameDatabase) {
    TestDatabase db;
    const auto sample = load(testing::source_dir() / "migrations");
    EXPECT_EQ(run_verify(db, sample).exit_code(), ExitCode::success);
    EXPECT_EQ(run_verify(db, sample).exit_code(), ExitCode::success);
}

} // namespace
} // namespace schemagate
