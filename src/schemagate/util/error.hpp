#pragma once

#include <stdexcept>
#include <string>

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
    interrupted = 130,    // SIGINT or SIGTERM
};

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
