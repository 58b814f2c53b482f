#include <support/migrations.hpp>

#include <schemagate/migration/parser.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::testing {

using migration::Migration;
using migration::RevisionGraph;

Migration parse_or_fail(const std::string& file, const std::string& text) {
    auto parsed = migration::parse_migration(file, text);
    if (!parsed) {
        std::string why;
        for (const auto& d : parsed.error()) {
            why += "\n  " + d.message;
        }
        ADD_FAILURE() << file << " did not parse:" << why << "\n" << text;
        return {};
    }
    return *parsed;
}

Migration mig(const std::string& id, const std::vector<std::string>& parents,
              const MigrationText& text) {
    std::string body = "-- revision: " + id +
                       "\n-- parents: " + (parents.empty() ? "base" : util::join(parents, ", ")) +
                       "\n-- migrate:up\n" + (text.up.empty() ? "SELECT '" + id + "';\n" : text.up);
    if (text.reversible == Reversible::yes) {
        body += "-- migrate:down\nSELECT 'undo " + id + "';\n";
    }
    return parse_or_fail(text.file.empty() ? "m/" + id + "_step.sql" : text.file, body);
}

store::AppliedRevision row_for(const Migration& m) {
    store::AppliedRevision r;
    r.id = m.id;
    r.parents = m.parents;
    r.checksum = m.checksum;
    r.message = m.message;
    r.applied_at = "2024-01-01T00:00:00Z";
    r.duration_ms = 5;
    r.applied_by = "other-host";
    return r;
}

RevisionGraph chain(const std::vector<std::string>& ids) {
    std::vector<Migration> ms;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        ms.push_back(mig(ids[i], i == 0 ? std::vector<std::string>{}
                                        : std::vector<std::string>{ids[i - 1]}));
    }
    return RevisionGraph(std::move(ms));
}

RevisionGraph unsorted_ids() {
    return RevisionGraph(
        {mig("m", {}), mig("k", {"m"}), mig("z", {"k"}), mig("b", {"m"}), mig("c", {"z", "b"})});
}

} // namespace schemagate::testing
