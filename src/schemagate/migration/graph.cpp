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

RevisionGraph::RevisionGraph(std::vector<Migration> migrations) {
    std::vector<std::string> problems;
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        const auto& m = migrations[i];
        auto [it, inserted] = index.emplace(m.id, i);
        if (!inserted) {
            problems.push_back(m.where(m.revision_line) + ": duplicate revision id '" + m.id +
                               "', also used by " + migrations[it->second].path.string() +
                               "; give one of them another id");
        }
    }
    for (const auto& m : migrations) {
        for (const auto& p : m.parents) {
            if (!index.count(p)) {
                problems.push_back(m.where(m.parents_line) + ": unknown parent revision '" + p +
                                   "' of " + m.id + "; no migration file declares it");
            }
        }
    }
    if (!problems.empty()) {
        fail(problems);
    }

    // Kahn's algorithm with a min-heap on id: the same files always give the same order.
    const std::size_t n = migrations.size();
    std::vector<std::vector<std::size_t>> children(n);
    std::vector<std::size_t> pending_parents(n);
    for (std::size_t i = 0; i < n; ++i) {
        pending_parents[i] = migrations[i].parents.size();
        for (const auto& p : migrations[i].parents) {
            children[index.at(p)].push_back(i);
        }
    }
    auto by_id = [&](std::size_t a, std::size_t b) { return migrations[a].id > migrations[b].id; };
    std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(by_id)> ready(by_id);
    for (std::size_t i = 0; i < n; ++i) {
        if (pending_parents[i] == 0) {
            ready.push(i);
        }
    }
    std::vector<std::size_t> order;
    order.reserve(n);
    while (!ready.empty()) {
        const std::size_t i = ready.top();
        ready.pop();
        order.push_back(i);
        for (std::size_t c : children[i]) {
            if (--pending_parents[c] == 0) {
                ready.push(c);
            }
        }
    }
    if (order.size() != n) {
        std::vector<bool> remaining(n, true);
        for (std::size_t i : order) {
            remaining[i] = false;
        }
        const auto cycle = find_cycle(migrations, index, remaining);
        // Point at the member read last: its parents line is the one that closes the cycle.
        std::size_t last = cycle.front();
        for (std::size_t i : cycle) {
            last = migrations[i].path.filename() > migrations[last].path.filename() ? i : last;
        }
        std::vector<std::string> ids;
        for (std::size_t i : cycle) {
            ids.push_back(migrations[i].id);
        }
        ids.push_back(ids.front());
        fail({migrations[last].where(migrations[last].parents_line) +
              ": revisions form a cycle through their parents (" + util::join(ids, " -> ") +
              "); fix the '-- parents:' lines so the graph flows one way"});
    }

    m_migrations.reserve(n);
    for (std::size_t i : order) {
        m_index.emplace(migrations[i].id, m_migrations.size());
        m_migrations.push_back(std::move(migrations[i]));
    }
    m_children.assign(n, {});
    for (std::size_t i = 0; i < n; ++i) {
        for (const auto& p : m_migrations[i].parents) {
            m_children[m_index.at(p)].push_back(i);
        }
    }
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

tl::expected<std::string, std::string> RevisionGraph::resolve(std::string_view id_or_prefix) const {
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
        return tl::unexpected("unknown revision '" + std::string(id_or_prefix) +
                              "'; `schemagate history` lists the revisions");
    }
    if (matches.size() > 1) {
        std::sort(matches.begin(), matches.end());
        return tl::unexpected("ambiguous revision prefix '" + std::string(id_or_prefix) +
                              "' matches " + util::join(matches, ", ") + "; give more characters");
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
