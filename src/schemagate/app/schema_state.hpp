#pragma once

#include <string>
#include <vector>

#include <schemagate/migration/graph.hpp>
#include <schemagate/migration/target.hpp>
#include <schemagate/store/store.hpp>

namespace schemagate::app {

// Where the database stands against a target, as /readyz, metrics and `wait` see it. Being
// past the target (revisions the files don't know yet) is fine; a failed step is not.
struct SchemaState {
    bool ready = false;
    std::vector<std::string> pending;  // in the order an upgrade would apply them
    std::vector<std::string> current;  // applied revisions with no applied children
    std::vector<std::string> problems; // what needs `schemagate validate`
};

// The state that `history` records against `target`. Throws what resolve_upgrade throws.
SchemaState schema_state(const migration::RevisionGraph& graph,
                         const std::vector<store::AppliedRevision>& history,
                         const migration::Target& target);

// The target `wait` and `serve` use when none is given: the head of the local migrations (the
// schema this image ships with), or all heads when the files have several.
migration::Target default_target(const migration::RevisionGraph& graph);

// The revisions an upgrade to `target` would apply on top of `applied`, in order.
std::vector<std::string> pending_revisions(const migration::RevisionGraph& graph,
                                           const migration::RevisionSet& applied,
                                           const migration::Target& target);

} // namespace schemagate::app
