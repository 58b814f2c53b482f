#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <schemagate/app/context.hpp>

namespace schemagate::app {

// `revision`: writes a new migration file into the first --dir (made if missing) whose parents
// are the current heads (merging them when there are several), with `id` or the next free one.
// Returns its path. Throws UsageError, IntegrityError.
std::filesystem::path new_revision(const Context& ctx, const std::string& message,
                                   const std::optional<std::string>& id);

// `merge`: the same, with the revisions `parents` name (ids or prefixes; all heads when empty)
// as parents. Throws UsageError when that is fewer than two revisions.
std::filesystem::path merge(const Context& ctx, const std::vector<std::string>& parents,
                            const std::string& message, const std::optional<std::string>& id);

} // namespace schemagate::app
