#pragma once

#include <optional>
#include <ostream>
#include <string_view>

#include <schemagate/app/context.hpp>
#include <schemagate/app/migrate.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/migration/target.hpp>

namespace schemagate::app {

// `upgrade --sql` / `downgrade --sql`.
struct SqlRequest {
    migration::Direction direction = migration::Direction::up;
    migration::Target target = migration::Target::head();
    // Where the script starts (--from): this revision and its ancestors applied, without
    // reading the database; nullopt to read the database's history (no lock, no table made).
    std::optional<migration::Target> from;
    LintGate lint = LintGate::off;
    std::string_view version; // for the header
};

// Prints the script for `request` to `out` as it is made, from the runner's first step on, so
// an error found before (any refusal) leaves `out` empty. Throws what Runner::upgrade and
// downgrade throw, and MigrationFailed when `out` cannot be written.
void print_sql(const Context& ctx, const SqlRequest& request, std::ostream& out);

} // namespace schemagate::app
