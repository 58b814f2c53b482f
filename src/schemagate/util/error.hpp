#pragma once

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

namespace schemagate {

// The exit-code contract. Jobs' podFailurePolicy and users' scripts depend on these numbers:
// never renumber, only add.
enum class ExitCode : int {
    success = 0,
    migration_failed = 1, // a migration's SQL failed and was rolled back
    usage = 2,            // bad flags, options, or a request that cannot be carried out
    lock_timeout = 3,     // the migration lock was not acquired within --lock-timeout
    integrity = 4,        // bad migration files, graph errors, drift, ambiguous targets
    unreachable = 5,      // the database could not be reached
    not_at_target = 6,    // `status`: the database is not at the target
    internal = 70,        // an unexpected error: a bug in schemagate (sysexits' EX_SOFTWARE)
    interrupted = 130,    // SIGINT or SIGTERM
};

// Whether running the same command again later may succeed: a Job's podFailurePolicy fails the
// Job at once on a code that is not transient (deploy/, charts/; tests check both against
// this table).
enum class Transient { no, yes };

// One code of the contract: its number, a short name (the metrics' failure `reason` label and
// the help text) and whether it is transient.
struct ExitCodeInfo {
    ExitCode code;
    std::string_view name;
    Transient transient;
};

// The whole contract, in numeric order. The single source of the help text's list and the
// metrics' failure reasons.
inline constexpr std::array<ExitCodeInfo, 9> k_exit_codes = {{
    {ExitCode::success, "ok", Transient::no},
    {ExitCode::migration_failed, "migration_failed", Transient::no},
    {ExitCode::usage, "usage", Transient::no},
    {ExitCode::lock_timeout, "lock_timeout", Transient::yes},
    {ExitCode::integrity, "integrity", Transient::no},
    {ExitCode::unreachable, "unreachable", Transient::yes},
    {ExitCode::not_at_target, "not_at_target", Transient::yes},
    {ExitCode::internal, "internal", Transient::no},
    {ExitCode::interrupted, "interrupted", Transient::yes},
}};

// The contract's row for `code`, or nullptr for a number outside it.
constexpr const ExitCodeInfo* find_exit_code(int code) {
    for (const auto& info : k_exit_codes) {
        if (static_cast<int>(info.code) == code) {
            return &info;
        }
    }
    return nullptr;
}

// Base of the errors that end a run. main() prints what() and exits with code().
class Error : public std::runtime_error {
public:
    Error(ExitCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    ExitCode code() const noexcept { return m_code; }

private:
    ExitCode m_code;
};

struct UsageError : Error {
    explicit UsageError(const std::string& message) : Error(ExitCode::usage, message) {}
};
struct IntegrityError : Error {
    explicit IntegrityError(const std::string& message) : Error(ExitCode::integrity, message) {}
};
struct MigrationFailed : Error {
    explicit MigrationFailed(const std::string& message)
        : Error(ExitCode::migration_failed, message) {}
};
struct LockTimeout : Error {
    explicit LockTimeout(const std::string& message) : Error(ExitCode::lock_timeout, message) {}
};
struct DatabaseUnreachable : Error {
    explicit DatabaseUnreachable(const std::string& message)
        : Error(ExitCode::unreachable, message) {}
};

struct Interrupted : Error {
    explicit Interrupted(const std::string& message) : Error(ExitCode::interrupted, message) {}
};

} // namespace schemagate
