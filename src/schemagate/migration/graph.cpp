#include <schemagate/migration/graph.hpp>

#include <algorithm>
#include <functional>
#include <queue>

#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::migration {

namespace {

[[noreturn]] void fail(const std::vector<std::string>& problems) {
    std::string message = "invalid revision graph:";
    for (const auto& p : problems) {
        message += "\n  " + p;
    }
    throw IntegrityError(message);
}

// Finds one cycle among `remaining` (revisions Kahn's algorithm could not order) by walking
// parent links from the smallest id; returns its members in parent-link order.
std::vector<std::size_t> find_cycle(const std::vector<Migration>& ms,
                                    const std::unordered_map<std::string, std::size_t>& index,
                                    const std::vector<bool>& remaining) {
    std::size_t start = ms.size();
    for (std::size_t i = 0; i < ms.size(); ++i) {
        if (remaining[i] && (start == ms.size() || ms[i].id < ms[start].id)) {
            start = i;
        }
    }
    std::vector<std::size_t> path;
    std::vector<std::size_t> on_path(ms.size(), ms.size());
    std::size_t at = start;
    while (on_path[at] == ms.size()) {
        on_path[at] = path.size();
        path.push_back(at);
        // Every unordered revision has at least one unordered parent; follow the smallest.
        std::size_t next = ms.size();
        for (const auto& p : ms[at].parents) {
            const std::size_t pi = index.at(p);
            if (remaining[pi] && (next == ms.size() || ms[pi].id < ms[next].id)) {
                next = pi;
            }
        }
        at = next;
    }
    return {path.begin() + static_cast<std::ptrdiff_t>(on_path[at]), path.end()};
}

} // namespace

RevisionGraph::RevisionGraph(std::vector<Migration> migrations)
    : m_migrations(std::move(migrations)) {
    // Everything is sorted in place, in the members: a directory can hold 10,000 migrations.
    auto& ms = m_migrations;
    const std::size_t n = ms.size();
    std::vector<std::string> problems;
    m_index.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& m = ms[i];
        auto [it, inserted] = m_index.emplace(m.id, i);
        if (!inserted) {
            problems.push_back(m.where(m.revision_line) + ": duplicate revision id '" + m.id +
                               "', also used by " + ms[it->second].path.string() +
                               "; give one of them another id");
        }
    }
    for (const auto& m : ms) {
        for (const auto& p : m.parents) {
            if (!m_index.count(p)) {
                problems.push_back(m.where(m.parents_line) + ": unknown parent revision '" + p +
                                   "' of " + m.id + "; no migration file declares it");
            }
        }
    }
    if (!problems.empty()) {
        fail(problems);
    }

    // Kahn's algorithm with a min-heap on id: the same files always give the same order.
    std::vector<std::vector<std::size_t>> children(n);
    std::vector<std::size_t> pending_parents(n);
    for (std::size_t i = 0; i < n; ++i) {
        pending_parents[i] = ms[i].parents.size();
        for (const auto& p : ms[i].parents) {
            children[m_index.at(p)].push_back(i);
        }
    }
    auto by_id = [&](std::size_t a, std::size_t b) { return ms[a].id > ms[b].id; };
    std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(by_id)> ready(by_id);
    for (std::size_t i = 0; i < n; ++i) {
        if (pending_parents[i] == 0) {
            ready.push(i);
        }
    }
    // position[i]: where the migration read i-th goes in topological order.
    std::vector<std::size_t> position(n);
    std::size_t ordered = 0;
    while (!ready.empty()) {
        const std::size_t i = ready.top();
        ready.pop();
        for (std::size_t c : children[i]) {
            if (--pending_parents[c] == 0) {
                ready.push(c);
            }
        }
        position[i] = ordered++;
    }
    if (ordered != n) {
        std::vector<bool> remaining(n);
        for (std::size_t i = 0; i < n; ++i) {
            remaining[i] = pending_parents[i] != 0;
        }
        const auto cycle = find_cycle(ms, m_index, remaining);
        // Point at the member read last: its parents line is the one that closes the cycle.
        std::size_t last = cycle.front();
        for (std::size_t i : cycle) {
            last = ms[i].path.filename() > ms[last].path.filename() ? i : last;
        }
        std::vector<std::string> ids;
        for (std::size_t i : cycle) {
            ids.push_back(ms[i].id);
        }
        ids.push_back(ids.front());
        fail({ms[last].where(ms[last].parents_line) +
              ": revisions form a cycle through their parents (" + util::join(ids, " -> ") +
              "); fix the '-- parents:' lines so the graph flows one way"});
    }

    for (auto& entry : m_index) {
        entry.second = position[entry.second];
    }
    for (auto& kids : children) {
        for (std::size_t& c : kids) {
            c = position[c];
        }
        std::sort(kids.begin(), kids.end());
    }
    // Apply the permutation by following its cycles, swapping each element into place.
    for (std::size_t i = 0; i < n; ++i) {
        while (position[i] != i) {
            const std::size_t j = position[i];
            std::swap(ms[i], ms[j]);
            std::swap(children[i], children[j]);
            std::swap(position[i], position[j]);
        }
    }
    m_children = std::move(children);
}

bool RevisionGraph::contains(std::string_view id) const {
    return m_index.count(std::string(id)) != 0;
}

const Migration& RevisionGraph::at(std::string_view id) const {
    return m_migrations.at(position(id));
}

std::size_t RevisionGraph::position(std::string_view id) const {
    return m_index.at(std::string(id));
}

std::vector<std::string> RevisionGraph::heads() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < m_migrations.size(); ++i) {
        if (m_children[i].empty()) {
            out.push_back(m_migrations[i].id);
        }
    }
    return out;
}

std::vector<std::string> RevisionGraph::children(std::string_view id) const {
    std::vector<std::string> out;
    for (std::size_t c : m_children.at(position(id))) {
        out.push_back(m_migrations[c].id);
    }
    return out;
}

RevisionSet RevisionGraph::lineage(std::string_view id) const {
    RevisionSet out;
    std::vector<std::size_t> stack{position(id)};
    while (!stack.empty()) {
        const std::size_t i = stack.back();
        stack.pop_back();
        if (!out.insert(m_migrations[i].id).second) {
            continue;
        }
        for (const auto& p : m_migrations[i].parents) {
            stack.push_back(position(p));
        }
    }
    return out;
}

RevisionSet RevisionGraph::descendants(std::string_view id) const {
    RevisionSet out;
    std::vector<std::size_t> stack(m_children.at(position(id)));
    while (!stack.empty()) {
        const std::size_t i = stack.back();
        stack.pop_back();
        if (!out.insert(m_migrations[i].id).second) {
            continue;
        }
        stack.insert(stack.end(), m_children[i].begin(), m_children[i].end());
    }
    return out;
}

tl::expected<std::string, ResolveError>
RevisionGraph::resolve(std::string_view id_or_prefix) const {
    if (contains(id_or_prefix)) {
        return std::string(id_or_prefix);
    }
    std::vector<std::string> matches;
    for (const auto& m : m_migrations) {
        if (m.id.compare(0, id_or_prefix.size(), id_or_prefix) == 0) {
            matches.push_back(m.id);
        }
    }
    if (id_or_prefix.empty() || matches.empty()) {
        return tl::unexpected(ResolveError{ResolveError::Kind::unknown,
                                           "unknown revision '" + std::string(id_or_prefix) +
                                               "'; `schemagate history` lists the revisions"});
    }
    if (matches.size() > 1) {
        std::sort(matches.begin(), matches.end());
        return tl::unexpected(
            ResolveError{ResolveError::Kind::ambiguous,
                         "ambiguous revision prefix '" + std::string(id_or_prefix) + "' matches " +
                             util::join(matches, ", ") + "; give more characters"});
    }
    return matches.front();
}

std::vector<std::string> RevisionGraph::ordered(const RevisionSet& set) const {
    std::vector<std::string> out(set.begin(), set.end());
    std::sort(out.begin(), out.end(), [this](const std::string& a, const std::string& b) {
        return position(a) < position(b);
    });
    return out;
}

} // namespace schemagate::migration
