#include <support/fake_store.hpp>

#include <algorithm>

#include <schemagate/util/error.hpp>

#include <support/migrations.hpp>

namespace schemagate::testing {

using migration::Direction;
using migration::Migration;

void FakeStore::apply(const Migration& m) {
    history.push_back(row_for(m));
}

void FakeStore::unapply(const std::string& id) {
    std::erase_if(history, [&](const store::AppliedRevision& r) { return r.id == id; });
}

std::vector<std::string> FakeStore::step_ids() const {
    std::vector<std::string> out;
    for (const auto& s : steps) {
        out.push_back(s.id);
    }
    return out;
}

std::vector<std::string> FakeStore::history_ids() const {
    std::vector<std::string> out;
    for (const auto& r : history) {
        out.push_back(r.id);
    }
    return out;
}

std::vector<store::AppliedRevision> FakeStore::read_history(store::HistoryColumns columns) {
    ++read_history_calls;
    record("read_history");
    if (unreachable_reads > 0) {
        --unreachable_reads;
        throw DatabaseUnreachable("lost the database connection");
    }
    if (columns == store::HistoryColumns::all) {
        return history;
    }
    auto rows = history;
    for (auto& row : rows) {
        row.parents.clear();
        row.message.clear();
        row.applied_at.clear();
        row.duration_ms = 0;
        row.applied_by.clear();
    }
    return rows;
}

void FakeStore::ensure_tables() {
    ++ensure_tables_calls;
    record("ensure_tables");
}

store::StepOutcome FakeStore::run_step(const store::Step& step, const std::string& applied_by) {
    const Migration& m = *step.migration;
    record("run_step " + std::string(migration::to_string(step.direction)) + " " + m.id);
    StepCall call{m.id,          step.direction, {}, applied_by, step.first_statement,
                  step.timeouts, step.start};
    starts.push_back(step.start);
    for (const auto& s : step.statements) {
        call.statements.push_back(s.text);
    }
    steps.push_back(std::move(call));
    if (lock_timeouts > 0) {
        --lock_timeouts;
        throw store::StepFailed("lock timeout", "55P03", {"pid 9 (app, idle in transaction)"});
    }
    if (deadlocks > 0) {
        --deadlocks;
        throw store::StepFailed("deadlock detected", "40P01", {});
    }
    if (connection_losses > 0) {
        --connection_losses;
        throw DatabaseUnreachable("lost the database connection");
    }
    if (m.id == fail_on) {
        throw MigrationFailed(m.where(m.up.first_line + 1) + ": boom");
    }
    if (step.direction == Direction::up) {
        apply(m);
    } else {
        unapply(m.id);
    }
    return m.id == done_elsewhere_on ? store::StepOutcome::done_elsewhere : store::StepOutcome::ran;
}

void FakeStore::stamp(const std::vector<const Migration*>& add,
                      const std::vector<std::string>& remove, const std::string& /*applied_by*/) {
    record("stamp");
    StampCall call;
    for (const Migration* m : add) {
        call.add.push_back(m->id);
        apply(*m);
    }
    for (const auto& id : remove) {
        call.remove.push_back(id);
        unapply(id);
    }
    stamps.push_back(std::move(call));
}

std::optional<migration::RevisionSet> FakeStore::read_run_target(const store::RunTarget& key) {
    record("read_run_target " + key.run_id + " " + key.target);
    const auto it = run_targets.find(key.run_id + " " + key.target);
    return it == run_targets.end() ? std::nullopt : std::optional(it->second);
}

void FakeStore::record_run_target(const store::RunTarget& key,
                                  const migration::RevisionSet& revisions,
                                  const std::string& /*applied_by*/) {
    record("record_run_target " + key.run_id + " " + key.target);
    run_targets.emplace(key.run_id + " " + key.target, revisions);
}

void FakeStore::abandon_step(const std::string& id, const std::string& /*applied_by*/) {
    record("abandon_step " + id);
    abandoned.push_back(id);
}

void FakeStore::reconnect() {
    ++reconnect_calls;
    record("reconnect");
}

} // namespace schemagate::testing
