#include <schemagate/migration/planner.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::migration {

namespace {

// "+3" -> 3 with sign '+'; nullopt when `target` is not relative.
struct Relative {
    char sign;
    std::size_t steps;
};

std::optional<Relative> parse_relative(std::string_view target) {
    if (target.size() < 2 || (target[0] != '+' && target[0] != '-')) {
        return std::nullopt;
    }
    std::size_t steps = 0;
    for (char c : target.substr(1)) {
        if (std::isdigit(static_cast<unsigned char>(c)) == 0 || steps > 1'000'000) {
            throw UsageError("invalid relative target '" + std::string(target) +
                             "'; use +N or -N with a whole number");
        }
        steps = steps * 10 + static_cast<std::size_t>(c - '0');
    }
    return Relative{target[0], steps};
}

std::string resolve_id(const RevisionGraph& graph, std::string_view target) {
    auto resolved = graph.resolve(target);
    if (!resolved) {
        if (resolved.error().rfind("ambiguous", 0) == 0) {
            throw IntegrityError(resolved.error());
        }
        throw UsageError(resolved.error());
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

bool is_relative_target(std::string_view target) {
    return target.size() >= 2 && (target[0] == '+' || target[0] == '-');
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

Goal resolve_upgrade(const RevisionGraph& graph, const RevisionSet& applied,
                     std::string_view target) {
    Goal goal{Direction::up, {}};
    if (target == "head") {
        goal.revisions = graph.lineage(single_head(graph));
    } else if (target == "heads") {
        goal.revisions = all_revisions(graph);
    } else if (target == "base") {
        // Nothing needs to be applied.
    } else if (auto rel = parse_relative(target)) {
        if (rel->sign == '-') {
            throw UsageError("upgrade cannot go back; use `schemagate downgrade " +
                             std::string(target) + "`");
        }
        std::vector<std::string> pending;
        for (const auto& m : graph.migrations()) {
            if (!applied.count(m.id)) {
                pending.push_back(m.id);
            }
        }
        if (rel->steps > pending.size()) {
            throw UsageError("cannot upgrade " + std::string(target) + ": only " +
                             std::to_string(pending.size()) + " revisions are pending");
        }
        goal.revisions.insert(pending.begin(),
                              pending.begin() + static_cast<std::ptrdiff_t>(rel->steps));
    } else {
        goal.revisions = graph.lineage(resolve_id(graph, target));
    }
    return goal;
}

Goal resolve_downgrade(const RevisionGraph& graph, const RevisionSet& applied,
                       std::string_view target) {
    Goal goal{Direction::down, {}};
    const RevisionSet known = known_applied(graph, applied);
    if (target == "base") {
        goal.revisions = known;
    } else if (target == "head" || target == "heads") {
        throw UsageError("downgrade needs a revision, base or -N, not '" + std::string(target) +
                         "'");
    } else if (auto rel = parse_relative(target)) {
        if (rel->sign == '+') {
            throw UsageError("downgrade cannot go forward; use `schemagate upgrade " +
                             std::string(target) + "`");
        }
        auto order = graph.ordered(known);
        std::reverse(order.begin(), order.end());
        if (rel->steps > order.size()) {
            throw UsageError("cannot downgrade " + std::string(target) + ": only " +
                             std::to_string(order.size()) + " revisions are applied");
        }
        goal.revisions.insert(order.begin(),
                              order.begin() + static_cast<std::ptrdiff_t>(rel->steps));
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
                         std::string_view target) {
    if (target == "base") {
        return {};
    }
    if (parse_relative(target)) {
        throw UsageError("stamp takes a revision, head, heads or base, not a relative target");
    }
    RevisionSet out = known_applied(graph, applied);
    if (target == "heads") {
        return all_revisions(graph);
    }
    const std::string id = target == "head" ? single_head(graph) : resolve_id(graph, target);
    for (const auto& d : graph.descendants(id)) {
        out.erase(d);
    }
    const RevisionSet lineage = graph.lineage(id);
    out.insert(lineage.begin(), lineage.end());
    return out;
}

} // namespace schemagate::migration
