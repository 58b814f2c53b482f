#pragma once

#include <optional>
#include <string>

#include <schemagate/app/context.hpp>
#include <schemagate/runner/verify.hpp>

namespace schemagate::app {

struct VerifyResult {
    runner::VerifyReport report;
    std::string database;         // where it ran: the scratch database's name, or the given URL
    bool scratch_created = false; // a new database, dropped at the end
};

// `verify`: every revision up, down and up again on `scratch_url` (which must be empty), or on
// a new database made on --database-url's server and dropped at the end. Throws UsageError for
// a `scratch_url` libpq cannot parse or a scratch database that is not empty,
// DatabaseUnreachable.
VerifyResult verify(const Context& ctx, const std::optional<std::string>& scratch_url);

} // namespace schemagate::app
