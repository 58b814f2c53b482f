#pragma once

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/migration/graph.hpp>
#include <schemagate/migration/migration.hpp>
#include <schemagate/store/store.hpp>

namespace schemagate::testing {

enum class Reversible { yes, no };

// What mig() writes besides the id and the parents; the defaults give a revision whose up
// section is `SELECT '<id>';` and whose down section is `SELECT 'undo <id>';`.
struct MigrationText {
    std::string up{};                        // "" for the default
    Reversible reversible = Reversible::yes; // no: the file has no down section
    std::string file{};                      // "" for m/<id>_step.sql
};

// Parses `text` as if read from `file`; on a parse error fails the test and returns an empty
// Migration.
migration::Migration parse_or_fail(const std::string& file, const std::string& text);

// A migration parsed from in-memory text laid out as
//   1 -- revision: <id>
//   2 -- parents: <parents, or base>
//   3 -- migrate:up
//   4 <up SQL> ... then, unless irreversible, -- migrate:down and its SQL.
migration::Migration mig(const std::string& id, const std::vector<std::string>& parents,
                         const MigrationText& text = {});

// A history row for `m` as another host applied it ("other-host", 2024-01-01, 5 ms).
store::AppliedRevision row_for(const migration::Migration& m);

// A graph of the given ids, each the child of the one before.
migration::RevisionGraph chain(const std::vector<std::string>& ids);

// m -> k -> z -> c (merge) and m -> b -> c. Ids sort differently from the topological order
// (m, b, k, z, c), so picking "the next N" by id would break ancestry.
migration::RevisionGraph unsorted_ids();

// The message of the E that `call` throws, or "" after failing the test when it throws none.
template <typename E> std::string error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const E& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected exception not thrown";
    return {};
}

} // namespace schemagate::testing
