#include <schemagate/runner/verify.hpp>

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

#include <schemagate/runner/runner.hpp>
#include <schemagate/util/interrupt.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::runner {

namespace {

using migration::Direction;
using migration::Migration;

// Whether verification can go on with the next revision.
enum class Continue { yes, no };

class Verifier {
public:
    Verifier(const migration::RevisionGraph& graph, store::Store& store, store::Catalog& catalog,
             const VerifyOptions& options)
        : m_graph(graph), m_store(store), m_catalog(catalog), m_options(options) {}

    VerifyReport run() {
        // Every section is split first, so a bad file stops us before any SQL runs.
        for (const Migration& m : m_graph.migrations()) {
            m_up.emplace(m.id, prepare_step(m, Direction::up, m_options.timeouts));
            if (m.reversible()) {
                m_down.emplace(m.id, prepare_step(m, Direction::down, m_options.timeouts));
            }
        }
        m_store.ensure_tables();
        if (!m_store.read_history(store::HistoryColumns::state).empty()) {
            throw UsageError("the scratch database already records applied revisions; verify "
                             "needs an empty database");
        }
        const store::SchemaSnapshot baseline = m_catalog.snapshot();
        store::SchemaSnapshot current = baseline;
        bool stopped = false;
        for (const Migration& m : m_graph.migrations()) {
            RevisionVerdict verdict{
                m.id, m.message, m.path.string(), RevisionOutcome::not_reached, {}};
            if (!m.reversible()) {
                m_report.irreversible.push_back(m.id);
            }
            if (!stopped) {
                util::throw_if_interrupted();
                stopped = check(m, current, verdict) == Continue::no;
            }
            m_report.revisions.push_back(std::move(verdict));
        }
        if (!stopped) {
            check_base(baseline);
        }
        return std::move(m_report);
    }

private:
    // Runs one step; on failure adds a problem to `verdict` and returns false.
    bool step(const Migration& m, Direction direction, RevisionVerdict& verdict,
              const std::string& what) {
        const auto& steps = direction == Direction::up ? m_up : m_down;
        try {
            m_store.run_step(steps.at(m.id), m_options.applied_by);
            return true;
        } catch (const MigrationFailed& e) {
            verdict.problems.push_back({what + ": " + e.what(), {}, {}, {}});
            return false;
        }
    }

    // Up, snapshot, down, compare, up again, compare. `current` is the schema before `m` and
    // becomes the schema after it.
    Continue check(const Migration& m, store::SchemaSnapshot& current, RevisionVerdict& verdict) {
        const std::string& id = m.id;
        spdlog::debug("verify {}: upgrade", id);
        if (!step(m, Direction::up, verdict, "its up section failed")) {
            verdict.outcome = RevisionOutcome::failed;
            return Continue::no;
        }
        store::SchemaSnapshot after_up = m_catalog.snapshot();
        if (!m.reversible()) {
            spdlog::warn("verify {}: no down section (irreversible), not verified", id);
            verdict.outcome = RevisionOutcome::skipped;
            current = std::move(after_up);
            return Continue::yes;
        }
        verdict.outcome = RevisionOutcome::not_reversible;
        spdlog::debug("verify {}: downgrade", id);
        if (!step(m, Direction::down, verdict, "its down section failed")) {
            spdlog::warn("verify {}: its down section failed", id);
            current = std::move(after_up);
            // A transactional down step rolled back whole, so the revision is still applied
            // and the next one can be checked; a `transaction: none` one left a partial state.
            return m.transaction == migration::TransactionMode::none ? Continue::no : Continue::yes;
        }
        const store::SchemaSnapshot after_down = m_catalog.snapshot();
        if (auto diff = store::diff_snapshots(current, after_down); !diff.empty()) {
            verdict.problems.push_back(
                {"its down section does not restore the schema from before its up section",
                 "schema before upgrading " + id, "schema after downgrading " + id,
                 std::move(diff)});
        }
        spdlog::debug("verify {}: upgrade again", id);
        if (!step(m, Direction::up, verdict,
                  "its up section fails when run again after its down section")) {
            spdlog::warn("verify {}: not reversible; stopping, the revisions after it are not "
                         "verified",
                         id);
            return Continue::no;
        }
        store::SchemaSnapshot after_again = m_catalog.snapshot();
        if (auto diff = store::diff_snapshots(after_up, after_again); !diff.empty()) {
            verdict.problems.push_back(
                {"its up section gives a different schema when run again after its down section",
                 "schema after the first upgrade of " + id,
                 "schema after upgrading " + id + " again", std::move(diff)});
        }
        if (verdict.problems.empty()) {
            verdict.outcome = RevisionOutcome::reversible;
            spdlog::info("verify {}: reversible", id);
        } else {
            spdlog::warn("verify {}: not reversible", id);
        }
        current = std::move(after_again);
        return Continue::yes;
    }

    // `downgrade base`: every applied revision's down step, newest first, then nothing but the
    // history tables may remain.
    void check_base(const store::SchemaSnapshot& baseline) {
        if (!m_report.irreversible.empty()) {
            m_report.base = BaseOutcome::skipped;
            return;
        }
        spdlog::info("verify: downgrade base");
        const auto applied =
            m_graph.ordered(applied_ids(m_store.read_history(store::HistoryColumns::state)));
        for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
            util::throw_if_interrupted();
            try {
                m_store.run_step(m_down.at(*it), m_options.applied_by);
            } catch (const MigrationFailed& e) {
                m_report.base = BaseOutcome::leftovers;
                m_report.base_problems.push_back(
                    {"downgrade base: the down section of " + *it + " failed: " + e.what(),
                     {},
                     {},
                     {}});
                return;
            }
        }
        m_report.base = BaseOutcome::clean;
        if (auto diff = store::diff_snapshots(baseline, m_catalog.snapshot()); !diff.empty()) {
            m_report.base = BaseOutcome::leftovers;
            m_report.base_problems.push_back(
                {"downgrade base leaves the schema different from the empty database it started "
                 "from",
                 "schema of the empty database", "schema after downgrade base", std::move(diff)});
        }
        if (const auto history = m_store.read_history(store::HistoryColumns::state);
            !history.empty()) {
            std::vector<std::string> ids;
            for (const auto& row : history) {
                ids.push_back(row.id);
            }
            m_report.base = BaseOutcome::leftovers;
            m_report.base_problems.push_back({"downgrade base leaves revisions recorded in the "
                                              "history: " +
                                                  util::join(ids, ", "),
                                              {},
                                              {},
                                              {}});
        }
    }

    const migration::RevisionGraph& m_graph;
    store::Store& m_store;
    store::Catalog& m_catalog;
    const VerifyOptions& m_options;
    std::map<std::string, store::Step> m_up;
    std::map<std::string, store::Step> m_down;
    VerifyReport m_report;
};

} // namespace

std::vector<std::string> VerifyReport::not_reversible() const {
    std::vector<std::string> out;
    for (const auto& r : revisions) {
        if (r.outcome == RevisionOutcome::not_reversible) {
            out.push_back(r.revision);
        }
    }
    return out;
}

ExitCode VerifyReport::exit_code() const {
    if (std::any_of(revisions.begin(), revisions.end(), [](const RevisionVerdict& r) {
            return r.outcome == RevisionOutcome::failed;
        })) {
        return ExitCode::migration_failed;
    }
    if (!not_reversible().empty() || base == BaseOutcome::leftovers) {
        return ExitCode::integrity;
    }
    return ExitCode::success;
}

VerifyReport verify(const migration::RevisionGraph& graph, store::Store& store,
                    store::Catalog& catalog, const VerifyOptions& options) {
    return Verifier(graph, store, catalog, options).run();
}

std::string to_string(RevisionOutcome outcome) {
    switch (outcome) {
    case RevisionOutcome::reversible:
        return "reversible";
    case RevisionOutcome::not_reversible:
        return "not_reversible";
    case RevisionOutcome::skipped:
        return "skipped";
    case RevisionOutcome::failed:
        return "failed";
    case RevisionOutcome::not_reached:
        return "not_reached";
    }
    return "unknown";
}

std::string to_string(BaseOutcome outcome) {
    switch (outcome) {
    case BaseOutcome::clean:
        return "clean";
    case BaseOutcome::leftovers:
        return "leftovers";
    case BaseOutcome::skipped:
        return "skipped";
    case BaseOutcome::not_reached:
        return "not_reached";
    }
    return "unknown";
}

} // namespace schemagate::runner
