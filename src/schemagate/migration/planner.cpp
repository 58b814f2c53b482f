#include <schemagate/migration/planner.hpp>

#include <algorithm>
#include <optional>

#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::migration {

namespace {

// The revision `target` names: an unknown one is a usage error, an ambiguous prefix an
// integrity error (the graph, not the request, is what has two candidates).
std::string resolve_id(const RevisionGraph& graph, const Target& target) {
    auto resolved = graph.resolve(target.revision());
    if (!resolved) {
        if (resolved.error().kind == ResolveError::Kind::ambiguous) {
            throw IntegrityError(resolved.error().message);
        }
        throw UsageError(resolved.error().message);
    }
    return *resolved;
}

RevisionSet known_applied(const RevisionGraph& graph, const RevisionSet& applied) {
    RevisionSet out;
    for (const auto& id : applied) {
        if (graph.contains(id)) {
            out.insert(id);
        }
    }
    return out;
}

RevisionSet all_revisions(const RevisionGraph& graph) {
    RevisionSet out;
    for (const auto& m : graph.migrations()) {
        out.insert(m.id);
    }
    return out;
}

} // namespace

std::string_view to_string(Direction d) {
    return d == Direction::up ? "upgrade" : "downgrade";
}

std::string single_head(const RevisionGraph& graph) {
    const auto heads = graph.heads();
    if (heads.empty()) {
        throw UsageError("no migrations found; create one with `schemagate revision -m MESSAGE`");
    }
    if (heads.size() > 1) {
        throw IntegrityError("target 'head' is ambiguous: the graph has " +
                             std::to_string(heads.size()) + " heads (" + util::join(heads, ", ") +
                             "); join them with `schemagate merge -m MESSAGE`, or use 'heads' "
                             "or a revision id");
    }
    return heads.front();
}

Goal resolve_upgrade(const RevisionGraph& graph, const RevisionSet& applied, const Target& target) {
    using Kind = Target::Kind;
    Goal goal{Direction::up, {}};
    if (target.is(Kind::head)) {
        goal.revisions = graph.lineage(single_head(graph));
    } else if (target.is(Kind::heads)) {
        goal.revisions = all_revisions(graph);
    } else if (target.is(Kind::base)) {
        // Nothing needs to be applied.
    } else if (target.is(Kind::relative)) {
        if (!target.forward()) {
            throw UsageError("upgrade cannot go back; use `schemagate downgrade " + target.text() +
                             "`");
        }
        std::vector<std::string> pending;
        for (const auto& m : graph.migrations()) {
            if (!applied.count(m.id)) {
                pending.push_back(m.id);
            }
        }
        if (target.steps() > pending.size()) {
            throw UsageError("cannot upgrade " + target.text() + ": only " +
                             std::to_string(pending.size()) + " revisions are pending");
        }
        goal.revisions.insert(pending.begin(),
                              pending.begin() + static_cast<std::ptrdiff_t>(target.steps()));
    } else {
        goal.revisions = graph.lineage(resolve_id(graph, target));
    }
    return goal;
}

Goal resolve_downgrade(const RevisionGraph& graph, const RevisionSet& applied,
                       const Target& target) {
    using Kind = Target::Kind;
    Goal goal{Direction::down, {}};
    const RevisionSet known = known_applied(graph, applied);
    if (target.is(Kind::base)) {
        goal.revisions = known;
    } else if (target.is(Kind::head) || target.is(Kind::heads)) {
        throw UsageError("downgrade needs a revision, base or -N, not '" + target.text() + "'");
    } else if (target.is(Kind::relative)) {
        if (target.forward()) {
            throw UsageError("downgrade cannot go forward; use `schemagate upgrade " +
                             target.text() + "`");
        }
        auto order = graph.ordered(known);
        std::reverse(order.begin(), order.end());
        if (target.steps() > order.size()) {
            throw UsageError("cannot downgrade " + target.text() + ": only " +
                             std::to_string(order.size()) + " revisions are applied");
        }
        goal.revisions.insert(order.begin(),
                              order.begin() + static_cast<std::ptrdiff_t>(target.steps()));
    } else {
        const std::string id = resolve_id(graph, target);
        if (!known.count(id)) {
            throw UsageError("cannot downgrade to " + id +
                             ": it is not applied; downgrade goes back to an applied revision "
                             "(see `schemagate current`)");
        }
        goal.revisions = graph.descendants(id);
    }
    return goal;
}

std::vector<const Migration*> plan(const RevisionGraph& graph, const RevisionSet& applied,
                                   const Goal& goal) {
    // The graph is in topological order already: walk it rather than sort the goal's ids.
    std::vector<const Migration*> steps;
    for (const auto& m : graph.migrations()) {
        if (goal.revisions.count(m.id) != 0 &&
            (goal.direction == Direction::up) != (applied.count(m.id) != 0)) {
            steps.push_back(&m);
        }
    }
    if (goal.direction == Direction::down) {
        std::reverse(steps.begin(), steps.end());
    }
    std::vector<std::string> irreversible;
    for (const Migration* m : steps) {
        if (goal.direction == Direction::down && !m->reversible()) {
            irreversible.push_back(m->path.string() + ": revision " + m->id +
                                   " has no '-- migrate:down' section, so it cannot be undone");
        }
    }
    if (!irreversible.empty()) {
        throw UsageError("downgrade refused before running anything:\n  " +
                         util::join(irreversible, "\n  ") +
                         "\ndowngrade to a later revision, or use `schemagate stamp` to record "
                         "a state you reached by hand");
    }
    return steps;
}

std::vector<std::string> current_heads(const RevisionGraph& graph, const RevisionSet& applied) {
    std::vector<std::string> out;
    for (const auto& id : graph.ordered(known_applied(graph, applied))) {
        const auto kids = graph.children(id);
        if (std::none_of(kids.begin(), kids.end(),
                         [&](const std::string& k) { return applied.count(k) != 0; })) {
            out.push_back(id);
        }
    }
    return out;
}

RevisionSet stamp_result(const RevisionGraph& graph, const RevisionSet& applied,
                         const Target& target) {
    using Kind = Target::Kind;
    if (target.is(Kind::base)) {
        return {};
    }
    if (target.is(Kind::relative)) {
        throw UsageError("stamp takes a revision, head, heads or base, not a relative target");
    }
    RevisionSet out = known_applied(graph, applied);
    if (target.is(Kind::heads)) {
        return all_revisions(graph);
    }
    const std::string id = target.is(Kind::head) ? single_head(graph) : resolve_id(graph, target);
    for (const auto& d : graph.descendants(id)) {
        out.erase(d);
    }
    const RevisionSet lineage = graph.lineage(id);
    out.insert(lineage.begin(), lineage.end());
    return out;
}

} // namespace schemagate::migration
