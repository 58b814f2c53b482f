#include <schemagate/runner/runner.hpp>

#include <algorithm>
#include <chrono>
#include <map>

#include <spdlog/spdlog.h>

#include <schemagate/migration/planner.hpp>
#include <schemagate/migration/sql_splitter.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/interrupt.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::runner {

namespace {

using migration::Direction;
using migration::Migration;

class LockGuard {
public:
    explicit LockGuard(lock::Lock& lock) : m_lock(lock) {}
    ~LockGuard() { m_lock.release(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    lock::Lock& m_lock;
};

std::string describe_step(const Migration& m, Direction direction) {
    const std::string parents = m.parents.empty() ? "base" : util::join(m.parents, ", ");
    return direction == Direction::up ? parents + " -> " + m.id + " (" + m.message + ")"
                                      : m.id + " -> " + parents + " (" + m.message + ")";
}

}  // namespace

store::Step prepare_step(const Migration& m, Direction direction) {
    const auto& section = direction == Direction::up ? m.up : *m.down;
    auto statements = migration::split_sql(section.sql);
    if (!statements) {
        throw IntegrityError(m.where(section.first_line + statements.error().line) + ": " +
                             statements.error().message);
    }
    return store::Step{&m, direction, std::move(*statements)};
}

migration::RevisionSet applied_ids(const std::vector<store::AppliedRevision>& history) {
    migration::RevisionSet out;
    for (const auto& row : history) {
        out.insert(row.id);
    }
    return out;
}

std::vector<std::string> integrity_problems(const migration::RevisionGraph& graph,
                                            const std::vector<store::AppliedRevision>& history) {
    std::vector<std::string> problems;
    const auto applied = applied_ids(history);
    for (const auto& row : history) {
        if (!graph.contains(row.id)) {
            problems.push_back("revision " + row.id + " is applied (on " + row.applied_at +
                               " by " + row.applied_by +
                               ") but no migration file declares it; restore its file, or point "
                               "--dir at the right migrations");
            continue;
        }
        const Migration& m = graph.at(row.id);
        if (m.checksum != row.checksum) {
            problems.push_back(m.path.string() + ": revision " + row.id +
                               " was changed after it was applied (checksum " +
                               row.checksum.substr(0, 12) + " recorded, " +
                               m.checksum.substr(0, 12) +
                               " now); revert the file and put the change in a new revision");
        }
        for (const auto& parent : m.parents) {
            if (!applied.count(parent)) {
                problems.push_back("revision " + row.id + " is applied but its parent " + parent +
                                   " is not; record the real state with `schemagate stamp`");
            }
        }
    }
    return problems;
}

Runner::Runner(const migration::RevisionGraph& graph, store::Store& store, lock::Lock& lock,
               RunnerOptions options)
    : m_graph(graph), m_store(store), m_lock(lock), m_options(std::move(options)) {}

std::vector<store::AppliedRevision> Runner::checked_history() {
    auto history = m_store.read_history();
    const auto problems = integrity_problems(m_graph, history);
    if (!problems.empty()) {
        throw IntegrityError("the database and the migration files disagree; nothing was run:\n  " +
                             util::join(problems, "\n  "));
    }
    return history;
}

RunReport Runner::upgrade(std::string_view target) {
    const auto applied = applied_ids(checked_history());
    return run(migration::resolve_upgrade(m_graph, applied, target), applied);
}

RunReport Runner::downgrade(std::string_view target) {
    const auto applied = applied_ids(checked_history());
    return run(migration::resolve_downgrade(m_graph, applied, target), applied);
}

RunReport Runner::run(const migration::Goal& goal, migration::RevisionSet applied) {
    auto steps = migration::plan(m_graph, applied, goal);
    if (steps.empty()) {
        spdlog::info("nothing to {}: the database is already at the target",
                     migration::to_string(goal.direction));
        return {};
    }
    // Every section the plan may run is split now, so a bad file stops us before any SQL.
    std::map<std::string, store::Step> prepared;
    for (const Migration* m : steps) {
        prepared.emplace(m->id, prepare_step(*m, goal.direction));
    }

    RunReport report;
    m_lock.acquire(m_options.lock_timeout);
    const LockGuard guard(m_lock);
    report.took_lock = true;
    m_store.ensure_tables();
    // Another copy may have done some or all of the work while we waited.
    applied = applied_ids(checked_history());
    steps = migration::plan(m_graph, applied, goal);
    if (steps.empty()) {
        spdlog::info("nothing left to {}: another schemagate finished while we waited",
                     migration::to_string(goal.direction));
    }
    for (const Migration* m : steps) {
        util::throw_if_interrupted();
        m_lock.check_held();
        auto it = prepared.find(m->id);
        const store::Step step =
            it != prepared.end() ? it->second : prepare_step(*m, goal.direction);
        spdlog::info("{} {}", migration::to_string(goal.direction),
                     describe_step(*m, goal.direction));
        const auto started = std::chrono::steady_clock::now();
        m_store.run_step(step, m_options.applied_by);
        spdlog::info("{} {} done in {}", migration::to_string(goal.direction), m->id,
                     util::format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - started)));
        report.revisions.push_back(m->id);
    }
    return report;
}

RunReport Runner::stamp(std::string_view target) {
    // No integrity check: stamp is how a user records a state they reached by hand.
    struct Change {
        std::vector<const Migration*> add;
        std::vector<std::string> remove;
        bool empty() const { return add.empty() && remove.empty(); }
    };
    auto compute = [&](const std::vector<store::AppliedRevision>& history) {
        const auto applied = applied_ids(history);
        const auto desired = migration::stamp_result(m_graph, applied, target);
        Change change;
        for (const auto& row : history) {
            if (!desired.count(row.id) && (target == "base" || m_graph.contains(row.id))) {
                change.remove.push_back(row.id);
            }
        }
        for (const auto& id : m_graph.ordered(desired)) {
            if (!applied.count(id)) {
                change.add.push_back(&m_graph.at(id));
            }
        }
        return change;
    };
    if (compute(m_store.read_history()).empty()) {
        spdlog::info("nothing to stamp: the history already records that state");
        return {};
    }
    RunReport report;
    m_lock.acquire(m_options.lock_timeout);
    const LockGuard guard(m_lock);
    report.took_lock = true;
    m_store.ensure_tables();
    const Change change = compute(m_store.read_history());
    m_store.stamp(change.add, change.remove, m_options.applied_by);
    for (const auto& id : change.remove) {
        spdlog::info("stamp: {} recorded as not applied", id);
        report.revisions.push_back(id);
    }
    for (const Migration* m : change.add) {
        spdlog::info("stamp: {} recorded as applied", m->id);
        report.revisions.push_back(m->id);
    }
    return report;
}

}  // namespace schemagate::runner
