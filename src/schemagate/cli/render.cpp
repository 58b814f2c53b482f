#include <schemagate/cli/render.hpp>

#include <schemagate/app/inspect.hpp> // store::AppliedRevision, the rows a status report holds
#include <schemagate/util/strings.hpp>

namespace schemagate::cli {

namespace {

std::vector<std::string> labels(const migration::RevisionGraph& graph,
                                const migration::Migration& m) {
    std::vector<std::string> out;
    const auto children = graph.children(m.id);
    if (children.empty()) {
        out.emplace_back("head");
    }
    if (children.size() > 1) {
        out.emplace_back("branchpoint");
    }
    if (m.is_merge()) {
        out.emplace_back("mergepoint");
    }
    return out;
}

} // namespace

std::string history_line(const migration::RevisionGraph& graph, const migration::Migration& m) {
    std::string line = (m.parents.empty() ? "<base>" : util::join(m.parents, ", ")) + " -> " + m.id;
    for (const auto& label : labels(graph, m)) {
        line += " (" + label + ")";
    }
    return util::printable(line + ", " + m.message);
}

void print_verbose(std::ostream& out, const migration::RevisionGraph& graph,
                   const migration::Migration& m) {
    std::string rev = m.id;
    for (const auto& label : labels(graph, m)) {
        rev += " (" + label + ")";
    }
    const auto children = graph.children(m.id);
    using util::printable;
    out << "Rev: " << printable(rev) << "\n"
        << "Parent: " << printable(m.parents.empty() ? "<base>" : util::join(m.parents, ", "))
        << "\n"
        << "Children: " << printable(children.empty() ? "-" : util::join(children, ", ")) << "\n"
        << "Path: " << printable(m.path.string()) << "\n"
        << "Transaction: "
        << (m.transaction == migration::TransactionMode::none ? "none" : "per section") << "\n"
        << "Reversible: " << (m.reversible() ? "yes" : "no") << "\n"
        << "Checksum: " << m.checksum << "\n"
        << "\n    " << printable(m.message) << "\n";
}

nlohmann::json revision_json(const migration::RevisionGraph& graph, const migration::Migration& m) {
    return {
        {"revision", m.id},
        {"parents", m.parents},
        {"children", graph.children(m.id)},
        {"message", m.message},
        {"path", m.path.string()},
        {"transaction", m.transaction == migration::TransactionMode::none ? "none" : "per-section"},
        {"reversible", m.reversible()},
        {"checksum", m.checksum},
        {"labels", labels(graph, m)},
    };
}

nlohmann::json applied_json(const store::AppliedRevision& row) {
    return {
        {"revision", row.id},           {"parents", row.parents},
        {"checksum", row.checksum},     {"message", row.message},
        {"applied_at", row.applied_at}, {"duration_ms", row.duration_ms},
        {"applied_by", row.applied_by},
    };
}

} // namespace schemagate::cli
