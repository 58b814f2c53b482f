#include <schemagate/app/revision.hpp>

#include <algorithm>
#include <system_error>

#include <spdlog/spdlog.h>

#include <schemagate/migration/scaffold.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::app {

namespace {

std::filesystem::path ensure_first_dir(const config::Config& c) {
    const auto& dir = c.dirs.front();
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        std::filesystem::create_directories(dir, ec);
        if (ec) {
            throw UsageError("cannot create " + dir.string() + ": " + ec.message());
        }
    }
    return dir;
}

} // namespace

std::filesystem::path new_revision(const Context& ctx, const std::string& message,
                                   const std::optional<std::string>& id) {
    const auto dir = ensure_first_dir(ctx.config);
    const auto graph = ctx.ports.load_graph();
    const auto heads = graph.heads();
    if (heads.size() > 1) {
        spdlog::warn("the graph has {} heads ({}); the new revision merges them", heads.size(),
                     util::join(heads, ", "));
    }
    return migration::write_migration(dir, graph, id ? *id : migration::next_revision_id(graph),
                                      heads, message);
}

std::filesystem::path merge(const Context& ctx, const std::vector<std::string>& revisions,
                            const std::string& message, const std::optional<std::string>& id) {
    const auto dir = ensure_first_dir(ctx.config);
    const auto graph = ctx.ports.load_graph();
    std::vector<std::string> parents;
    if (revisions.empty()) {
        parents = graph.heads();
    }
    for (const auto& rev : revisions) {
        auto resolved = graph.resolve(rev);
        if (!resolved) {
            throw UsageError(resolved.error().message);
        }
        if (std::find(parents.begin(), parents.end(), *resolved) == parents.end()) {
            parents.push_back(*resolved);
        }
    }
    if (parents.size() < 2) {
        throw UsageError(
            "nothing to merge: " +
            (parents.empty() ? std::string("no revisions") : "only " + util::join(parents, ", ")) +
            "; merge joins two or more heads");
    }
    return migration::write_migration(dir, graph, id ? *id : migration::next_revision_id(graph),
                                      parents, message);
}

} // namespace schemagate::app
