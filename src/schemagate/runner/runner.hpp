#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <schemagate/lock/lock.hpp>
#include <schemagate/migration/graph.hpp>
#include <schemagate/store/store.hpp>

namespace schemagate::runner {

struct RunnerOptions {
    std::chrono::milliseconds lock_timeout{std::chrono::minutes(10)};
    std::string applied_by;  // host or pod name, recorded with each step
};

struct RunReport {
    std::vector<std::string> revisions;  // run (or stamped) in order
    bool took_lock = false;
};

// Everything wrong between the files and the history table, one line per problem:
// applied revisions missing from the files, checksum drift, applied sets not closed under
// ancestors. Empty when consistent.
std::vector<std::string> integrity_problems(const migration::RevisionGraph& graph,
                                            const std::vector<store::AppliedRevision>& history);

migration::RevisionSet applied_ids(const std::vector<store::AppliedRevision>& history);

// A revision's section split into statements, ready for Store::run_step. Throws
// IntegrityError naming file and line when the section cannot be split.
store::Step prepare_step(const migration::Migration& m, migration::Direction direction);

// Runs upgrades, downgrades and stamps: reads the state without the lock, returns at once
// when there is nothing to do, else takes the lock, re-reads, and runs each step in order.
class Runner {
public:
    Runner(const migration::RevisionGraph& graph, store::Store& store, lock::Lock& lock,
           RunnerOptions options);

    // Throw IntegrityError, UsageError, LockTimeout, MigrationFailed, DatabaseUnreachable.
    RunReport upgrade(std::string_view target);
    RunReport downgrade(std::string_view target);
    RunReport stamp(std::string_view target);

private:
    RunReport run(const migration::Goal& goal, migration::RevisionSet applied);
    std::vector<store::AppliedRevision> checked_history();

    const migration::RevisionGraph& m_graph;
    store::Store& m_store;
    lock::Lock& m_lock;
    RunnerOptions m_options;
};

}  // namespace schemagate::runner
