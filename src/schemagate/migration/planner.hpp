#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <schemagate/migration/graph.hpp>
#include <schemagate/migration/target.hpp>

namespace schemagate::migration {

enum class Direction { up, down };

std::string_view to_string(Direction d);

// What an upgrade or downgrade will do once it holds the lock. Relative targets (+N, -N) are
// resolved against the state seen before locking, into a fixed set of revisions, so that
// several copies started together do not each move N further.
struct Goal {
    Direction direction = Direction::up;
    RevisionSet revisions; // up: must be applied afterwards; down: must not be
};

// Throws UsageError for unknown revisions or impossible requests, IntegrityError for
// ambiguous ones (several heads for `head`, an ambiguous prefix).
Goal resolve_upgrade(const RevisionGraph& graph, const RevisionSet& applied, const Target& target);
Goal resolve_downgrade(const RevisionGraph& graph, const RevisionSet& applied,
                       const Target& target);

// The revisions to run, in order: up in topological order, down in reverse.
// Throws UsageError when a downgrade would pass through a revision with no down section.
std::vector<const Migration*> plan(const RevisionGraph& graph, const RevisionSet& applied,
                                   const Goal& goal);

// The single head, or the error for `head` with zero or several heads.
std::string single_head(const RevisionGraph& graph);

// Applied revisions with no applied children: what `current` shows.
std::vector<std::string> current_heads(const RevisionGraph& graph, const RevisionSet& applied);

// The applied set `stamp TARGET` records: the target's lineage added and, for a revision,
// its applied descendants removed. `base` gives the empty set.
RevisionSet stamp_result(const RevisionGraph& graph, const RevisionSet& applied,
                         const Target& target);

} // namespace schemagate::migration
