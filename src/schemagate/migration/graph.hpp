#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <tl/expected.hpp>

#include <schemagate/migration/migration.hpp>

namespace schemagate::migration {

using RevisionSet = std::set<std::string>;

// Why an id or prefix names no single revision.
struct ResolveError {
    enum class Kind { unknown, ambiguous };
    Kind kind;
    std::string message; // lowercase, says what to do
};

// The revision graph of a migrations directory. Revisions are kept in one deterministic
// topological order (Kahn's algorithm, ties broken by id), which every plan follows.

class RevisionGraph {
public:
    // Throws IntegrityError naming file and line for duplicate ids, unknown parents and cycles.
    explicit RevisionGraph(std::vector<Migration> migrations);

    // In topological order: parents before children.
    const std::vector<Migration>& migrations() const { return m_migrations; }
    bool empty() const { return m_migrations.empty(); }
    bool contains(std::string_view id) const;
    const Migration& at(std::string_view id) const;
    std::size_t position(std::string_view id) const;

    // Revisions with no children, in topological order.
    std::vector<std::string> heads() const;
    std::vector<std::string> children(std::string_view id) const;
    // The revision and all of its ancestors.
    RevisionSet lineage(std::string_view id) const;
    // Every revision that has `id` as an ancestor, not `id` itself.
    RevisionSet descendants(std::string_view id) const;

    // An exact id, or a prefix matching exactly one id. The error says why not.
    tl::expected<std::string, ResolveError> resolve(std::string_view id_or_prefix) const;

    // The members of `set` in topological order.
    std::vector<std::string> ordered(const RevisionSet& set) const;

private:
    std::vector<Migration> m_migrations;
    std::unordered_map<std::string, std::size_t> m_index;
    std::vector<std::vector<std::size_t>> m_children;
};

} // namespace schemagate::migration
