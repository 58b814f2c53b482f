#include <schemagate/app/schema_state.hpp>

#include <schemagate/migration/planner.hpp>
#include <schemagate/runner/runner.hpp>

namespace schemagate::app {

std::vector<std::string> pending_revisions(const migration::RevisionGraph& graph,
                                           const migration::RevisionSet& applied,
                                           const migration::Target& target) {
    std::vector<std::string> out;
    for (const auto& id :
         graph.ordered(migration::resolve_upgrade(graph, applied, target).revisions)) {
        if (!applied.count(id)) {
            out.push_back(id);
        }
    }
    return out;
}

SchemaState schema_state(const migration::RevisionGraph& graph,
                         const std::vector<store::AppliedRevision>& history,
                         const migration::Target& target) {
    const auto applied = runner::applied_ids(history);
    SchemaState state;
    runner::Allowances allow;
    allow.unknown = true; // a newer database than these files is past the target: fine
    state.problems =
        runner::integrity_problems(graph, history, allow, runner::RunningRows::tolerate);
    state.pending = pending_revisions(graph, applied, target);
    state.current = migration::current_heads(graph, applied);
    state.ready = state.pending.empty() && state.problems.empty();
    return state;
}

migration::Target default_target(const migration::RevisionGraph& graph) {
    return graph.heads().size() > 1 ? migration::Target::heads() : migration::Target::head();
}

} // namespace schemagate::app
